package org.dqwhisper.decode;

/** Callbacks from {@link Transcriber} on the transcribing thread; both do nothing by default. */
public interface TranscriptionListener {
    /** The seek reached {@code doneFrames} of {@code totalFrames} mel frames (10 ms each). */
    default void progress(int doneFrames, int totalFrames) {}

    /** A segment is final (called in order, once per segment). */
    default void segment(Segment segment) {}

    /** A listener that ignores everything. */
    TranscriptionListener NONE = new TranscriptionListener() {};
}
