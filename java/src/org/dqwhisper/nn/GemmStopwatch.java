package org.dqwhisper.nn;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Optional wall-clock accounting of the GEMM calls the modules make (forward and backward), for
 * profiling how much of a training step is matrix multiplication. Off by default; when off the
 * cost is one volatile read per GEMM.
 */
public final class GemmStopwatch {
    private static volatile boolean enabled;
    private static final AtomicLong NANOS = new AtomicLong();
    private static final AtomicLong CALLS = new AtomicLong();

    private GemmStopwatch() {}

    public static void enable(boolean on) {
        enabled = on;
    }

    public static boolean enabled() {
        return enabled;
    }

    public static void reset() {
        NANOS.set(0);
        CALLS.set(0);
    }

    /** Nanoseconds spent inside timed GEMM calls since the last reset. */
    public static long elapsedNanos() {
        return NANOS.get();
    }

    public static long calls() {
        return CALLS.get();
    }

    /** A start time when enabled, else 0. */
    static long start() {
        return enabled ? System.nanoTime() : 0L;
    }

    static void stop(long start) {
        if (start != 0L) {
            NANOS.addAndGet(System.nanoTime() - start);
            CALLS.incrementAndGet();
        }
    }
}
