package org.dqwhisper.train;

/**
 * An endless, deterministic stream of training batches. {@link #position()} counts the batches
 * handed out; {@link #seek(long)} makes the next batch the one that followed position
 * {@code position} in the original stream, so a resumed run sees exactly the data order of an
 * uninterrupted one.
 */
public interface BatchSource {
    /** The next batch (the caller closes it). */
    TrainingBatch next();

    /** Batches handed out since position 0. */
    long position();

    /** Continues the stream at {@code position} (0 = from the start). */
    void seek(long position);
}
