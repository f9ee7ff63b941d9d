package org.dqwhisper.nn;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * Recycled off-heap F32 buffers for training activations and gradients. A training step allocates
 * and frees gigabytes of large tensors; fresh allocations of that size are new memory mappings whose
 * page faults and zero-filling cost a third of a step. The workspace keeps freed blocks (sizes
 * rounded up to 8 classes per power of two, ≤ 12.5% slack) and lends them again, so after the first
 * step no memory is mapped or cleared. {@link #endStep()} frees blocks that the step just ended did
 * not use, which bounds idle memory by one step's peak even when shapes change between steps.
 *
 * <p>Borrow through a {@link Scope}: {@code try (Workspace.Scope s = Workspace.scope()) { Tensor t =
 * s.take("name", rows, cols); … }}. Lent tensors are views of pooled blocks; their contents are
 * arbitrary unless taken with {@link Scope#takeZeroed}. Thread-safe; used by the training paths only
 * (inference allocates plainly).
 */
public final class Workspace {
    private static final Map<Long, ArrayDeque<Block>> IDLE = new HashMap<>();
    private static final IdentityHashMap<Tensor, Block> LENT = new IdentityHashMap<>();
    private static long generation;
    private static long idleBytes;
    private static long lentBytes;
    private static long peakLentBytes;

    private static final class Block {
        final Tensor owner;
        final long elements;
        long lastUsed;

        Block(Tensor owner, long elements) {
            this.owner = owner;
            this.elements = elements;
        }
    }

    private Workspace() {}

    /** Borrowed tensors given back together when the scope closes. Not thread-safe itself. */
    public static final class Scope implements AutoCloseable {
        private final List<Tensor> taken = new ArrayList<>();

        /** A tensor of the shape with arbitrary contents. */
        public Tensor take(String name, long... shape) {
            Tensor t = lend(name, shape);
            taken.add(t);
            return t;
        }

        /** A tensor of the shape filled with zeros. */
        public Tensor takeZeroed(String name, long... shape) {
            Tensor t = take(name, shape);
            t.fill(0f);
            return t;
        }

        @Override
        public void close() {
            for (Tensor t : taken) giveBack(t);
            taken.clear();
        }
    }

    public static Scope scope() {
        return new Scope();
    }

    /** Size class: n rounded up to a multiple of 1/8 of its highest power of two. */
    static long sizeClass(long n) {
        if (n <= 64) return 64;
        long high = Long.highestOneBit(n - 1);
        long step = Math.max(1, high / 8);
        return (n + step - 1) / step * step;
    }

    private static synchronized Tensor lend(String name, long[] shape) {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        long cls = sizeClass(n);
        ArrayDeque<Block> free = IDLE.get(cls);
        Block b = free == null ? null : free.poll();
        if (b == null) {
            b = new Block(Tensor.allocate("workspace", DType.F32, cls), cls);
        } else {
            idleBytes -= cls * 4;
        }
        b.lastUsed = generation;
        lentBytes += cls * 4;
        peakLentBytes = Math.max(peakLentBytes, lentBytes);
        Tensor view = b.owner.rows(0, n).reshape(shape);
        LENT.put(view, b);
        return view;
    }

    private static synchronized void giveBack(Tensor t) {
        Block b = LENT.remove(t);
        if (b == null) throw new IllegalStateException(t.describe() + " was not lent by the workspace (or was given back twice)");
        t.close(); // the view: later use fails loudly
        IDLE.computeIfAbsent(b.elements, k -> new ArrayDeque<>()).push(b);
        idleBytes += b.elements * 4;
        lentBytes -= b.elements * 4;
    }

    /** Ends a step: frees idle blocks the step did not use. */
    public static synchronized void endStep() {
        for (Iterator<ArrayDeque<Block>> it = IDLE.values().iterator(); it.hasNext();) {
            ArrayDeque<Block> q = it.next();
            q.removeIf(b -> {
                if (b.lastUsed >= generation) return false;
                b.owner.close();
                idleBytes -= b.elements * 4;
                return true;
            });
            if (q.isEmpty()) it.remove();
        }
        generation++;
    }

    /** Frees every idle block (e.g. when training ends). */
    public static synchronized void releaseIdle() {
        for (ArrayDeque<Block> q : IDLE.values()) for (Block b : q) b.owner.close();
        IDLE.clear();
        idleBytes = 0;
    }

    /** Bytes held by idle blocks. */
    public static synchronized long idleBytes() {
        return idleBytes;
    }

    /** Bytes currently lent out. */
    public static synchronized long lentBytes() {
        return lentBytes;
    }

    /** The most bytes lent out at once since the last {@link #resetPeak()}: a training step's activation and temporary peak. */
    public static synchronized long peakLentBytes() {
        return peakLentBytes;
    }

    public static synchronized void resetPeak() {
        peakLentBytes = lentBytes;
    }

    /** Tensors currently lent out. */
    public static synchronized int lentCount() {
        return LENT.size();
    }
}
