package org.dqwhisper.kernels;

import org.bytedeco.javacpp.LongPointer;
import org.dqwhisper.nativelib.NativeCpu;

/**
 * The native CPU library: which instruction-set path the kernels run and how many threads they
 * use. System properties read once at first use: {@code dqw.cpu.isa=scalar|avx2|avx512} forces a
 * path, {@code dqw.threads=N} sets the thread count.
 */
public final class CpuRuntime {
    private static volatile boolean initialised;

    private CpuRuntime() {}

    /** Loads libdqw (idempotent) and applies the system properties; a load failure names the cause. */
    public static synchronized void ensureLoaded() {
        if (initialised) return;
        try {
            NativeCpu.dqw_cpu_detected_isa();
        } catch (Throwable t) {
            throw new IllegalStateException("cannot load the dq-whisper native CPU library (libdqw.so) for "
                    + System.getProperty("os.name") + "/" + System.getProperty("os.arch") + ": " + t, t);
        }
        initialised = true;
        String isa = System.getProperty("dqw.cpu.isa");
        if (isa != null && !isa.isBlank()) forceIsa(Isa.parse(isa));
        String threads = System.getProperty("dqw.threads");
        if (threads != null && !threads.isBlank()) setThreads(Integer.parseInt(threads.trim()));
    }

    /** Highest path this CPU supports. */
    public static Isa detectedIsa() {
        ensureLoaded();
        return Isa.ofLevel(NativeCpu.dqw_cpu_detected_isa());
    }

    /** Path the kernels dispatch to now. */
    public static Isa activeIsa() {
        ensureLoaded();
        return Isa.ofLevel(NativeCpu.dqw_cpu_active_isa());
    }

    /** Forces a path; {@code null} restores automatic choice. Forcing above the CPU's level throws. */
    public static void forceIsa(Isa isa) {
        ensureLoaded();
        int r = NativeCpu.dqw_cpu_force_isa(isa == null ? -1 : isa.level());
        if (r == -2) {
            throw new IllegalArgumentException("cannot force ISA " + isa + ": this CPU supports up to " + detectedIsa());
        }
    }

    public static void setThreads(int n) {
        ensureLoaded();
        if (n < 1) throw new IllegalArgumentException("thread count must be >= 1, got " + n);
        NativeCpu.dqw_set_num_threads(n);
    }

    public static int threads() {
        ensureLoaded();
        return NativeCpu.dqw_get_num_threads();
    }

    /**
     * Off-heap blocks of 4 MiB and more that tensors freed are kept for reuse: allocating the same size again (the
     * next training step's activations, the next window's encoder buffers) then maps no new pages. These report and
     * bound that cache; {@code DQW_ALLOC_CACHE_MB} in the environment sets the limit at start-up (0 turns reuse off).
     */
    public record AllocationCache(long cachedBytes, long limitBytes, long hits, long misses) {}

    /** The allocation cache's state: bytes held, limit, and allocations served from it or not since start. */
    public static AllocationCache allocationCache() {
        ensureLoaded();
        try (LongPointer hits = new LongPointer(1); LongPointer misses = new LongPointer(1)) {
            NativeCpu.dqw_alloc_cache_counts(hits, misses);
            return new AllocationCache(NativeCpu.dqw_alloc_cache_bytes(), NativeCpu.dqw_alloc_cache_limit(), hits.get(), misses.get());
        }
    }

    /** Bounds the allocation cache (0: no reuse); blocks beyond the new limit are released now. */
    public static void setAllocationCacheLimit(long bytes) {
        ensureLoaded();
        if (bytes < 0) throw new IllegalArgumentException("allocation cache limit must be >= 0 bytes, got " + bytes);
        NativeCpu.dqw_alloc_cache_set_limit(bytes);
    }

    /** Returns every cached block to the C library (e.g. after a large job, before a long idle time). */
    public static void releaseAllocationCache() {
        ensureLoaded();
        NativeCpu.dqw_alloc_cache_release();
    }

    public static String nativeVersion() {
        ensureLoaded();
        return NativeCpu.dqw_version().getString();
    }
}
