package org.dqwhisper.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * Maps the Java heap's young generation before anything is timed.
 *
 * <p>Each kernel call allocates a few small Java objects (the JavaCPP pointers it passes to native code), so a short
 * benchmark allocates into young-generation pages that the process has never touched, and each first touch is a page
 * fault. On this project's build machine (a paravirtualised VM) a fault costs 12-13 µs (200,000 first writes to
 * fresh 4 KB pages, timed in C). A 1x384x384 INT8 call takes about 1.3 µs and allocates about
 * 200 bytes, so until the young generation has been through a collection its calls pay roughly one fault per 20: the
 * measured M = 1 throughput halved (55-61 instead of 145-176 Gop/s; `bench gemm`, 1 thread, with and without
 * {@code -XX:+AlwaysPreTouch}), while the slower FP32 calls lost less. Allocating garbage until the young collector
 * has run twice maps eden and the survivor spaces once, so every shape is timed on a warm heap.
 */
public final class HeapWarmup {
    private static final int CHUNK_BYTES = 64 << 10; // far below any collector's large-object threshold: stays in eden
    private static volatile Object sink;
    private static volatile boolean done;

    private HeapWarmup() {}

    /**
     * Allocates until the garbage collectors have run {@code collections} more times, or {@code maxMillis} have passed
     * (a collector that never runs, e.g. Epsilon, cannot hold this up). Runs once per process; later calls return 0.
     *
     * @return the collections observed
     */
    public static synchronized long cycleYoungGeneration(int collections, long maxMillis) {
        if (done) return 0;
        done = true;
        return allocateUntilCollections(collections, maxMillis);
    }

    /** Allocates short-lived garbage until {@code collections} more collections or {@code maxMillis}; returns those seen. */
    static long allocateUntilCollections(int collections, long maxMillis) {
        List<GarbageCollectorMXBean> gcs = ManagementFactory.getGarbageCollectorMXBeans();
        long start = count(gcs);
        long deadline = System.nanoTime() + maxMillis * 1_000_000L;
        while (count(gcs) - start < collections && System.nanoTime() < deadline) {
            for (int i = 0; i < 64; i++) sink = new byte[CHUNK_BYTES];
        }
        sink = null;
        return count(gcs) - start;
    }

    /** {@link #cycleYoungGeneration(int, long)} with two collections and at most 10 s. */
    public static long cycleYoungGeneration() {
        return cycleYoungGeneration(2, 10_000);
    }

    private static long count(List<GarbageCollectorMXBean> gcs) {
        long n = 0;
        for (GarbageCollectorMXBean gc : gcs) n += Math.max(0, gc.getCollectionCount());
        return n;
    }
}
