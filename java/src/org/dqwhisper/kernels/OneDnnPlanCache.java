package org.dqwhisper.kernels;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Bounded least-recently-used cache of built oneDNN plans (primitive descriptors, primitives, memory
 * objects) keyed by operation and shape: M changes from call to call (decoder steps, audio lengths), so
 * the key holds (op, M, N, K, flags) and the oldest plan is closed when the cache is full. Not
 * thread-safe: the backend serialises access.
 */
final class OneDnnPlanCache implements AutoCloseable {
    /** What a plan is for: {@code op} names the plan type, {@code flags} its options (bias, gelu, transposes, ...). */
    record Key(String op, long m, long n, long k, int flags) {}

    private final int capacity;
    private final LinkedHashMap<Key, AutoCloseable> plans;

    OneDnnPlanCache(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("plan cache capacity must be >= 1, got " + capacity);
        this.capacity = capacity;
        this.plans = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, AutoCloseable> eldest) {
                if (size() <= OneDnnPlanCache.this.capacity) return false;
                release(eldest.getValue());
                return true;
            }
        };
    }

    /** The cached plan for {@code key}, building (and caching) it with {@code build} when absent. */
    <P extends AutoCloseable> P get(Key key, Class<P> type, Supplier<P> build) {
        AutoCloseable p = plans.get(key);
        if (p == null) {
            P built = build.get();
            plans.put(key, built);
            return built;
        }
        return type.cast(p);
    }

    /** Drops and closes the plan for {@code key} (used when a plan turns out not to fit the weights' layout). */
    void evict(Key key) {
        AutoCloseable p = plans.remove(key);
        if (p != null) release(p);
    }

    int size() {
        return plans.size();
    }

    int capacity() {
        return capacity;
    }

    @Override
    public void close() {
        for (AutoCloseable p : plans.values()) release(p);
        plans.clear();
    }

    private static void release(AutoCloseable p) {
        try {
            p.close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot release a oneDNN plan: " + e.getMessage(), e);
        }
    }
}
