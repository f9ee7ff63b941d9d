package org.dqwhisper.corpus;

import java.util.Locale;

/** A corpus split; its manifest is {@code <name>.jsonl}. */
public enum Split {
    TRAIN, DEV, TEST;

    /** "train", "dev" or "test". */
    public String fileStem() {
        return name().toLowerCase(Locale.ROOT);
    }
}
