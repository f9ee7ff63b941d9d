package org.dqwhisper.report;

import java.awt.Color;

/** The fixed series colours: Tableau 10, in its usual order, repeated after ten series. */
public final class Palette {
    private static final int[] TABLEAU_10 = {
        0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f, 0xedc948, 0xb07aa1, 0xff9da7, 0x9c755f, 0xbab0ac
    };

    private Palette() {}

    /** The colour of series {@code index} (≥ 0). */
    public static Color color(int index) {
        if (index < 0) throw new IllegalArgumentException("palette: negative series index " + index);
        return new Color(TABLEAU_10[index % TABLEAU_10.length]);
    }

    public static int size() {
        return TABLEAU_10.length;
    }
}
