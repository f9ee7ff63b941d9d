package org.dqwhisper.kernels;

import static org.dqwhisper.kernels.NnArgumentChecks.disjoint;
import static org.dqwhisper.kernels.NnArgumentChecks.f32;
import static org.dqwhisper.kernels.NnArgumentChecks.rank;
import static org.dqwhisper.kernels.NnArgumentChecks.s32;
import static org.dqwhisper.kernels.NnArgumentChecks.shape;

import java.util.Arrays;
import org.dqwhisper.nativelib.NativeNn;
import org.dqwhisper.tensor.Tensor;

/** Checked conv1d-im2col, transpose, embedding and positional calls behind {@link NnKernels}. */
final class NnLayout {
    private NnLayout() {}

    static long conv1dOutputLength(String op, long t, int kernel, int stride, int pad) {
        if (kernel < 1) throw new IllegalArgumentException(op + ": kernel must be >= 1, got " + kernel);
        if (stride < 1) throw new IllegalArgumentException(op + ": stride must be >= 1, got " + stride);
        if (pad < 0) throw new IllegalArgumentException(op + ": pad must be >= 0, got " + pad);
        if (t < 0) throw new IllegalArgumentException(op + ": length must be >= 0, got " + t);
        if (t + 2L * pad < kernel) {
            throw new IllegalArgumentException(op + ": input length " + t + " with padding " + pad + " is shorter than the kernel " + kernel);
        }
        return (t + 2L * pad - kernel) / stride + 1;
    }

    static void im2col1d(Tensor x, int kernel, int stride, int pad, Tensor cols) {
        final String op = "im2col1d";
        rank(op, "x", f32(op, "x", x), 2);
        long t = x.dim(0), cin = x.dim(1);
        long tout = conv1dOutputLength(op, t, kernel, stride, pad);
        shape(op, "cols", f32(op, "cols", cols), tout, Math.multiplyExact(cin, (long) kernel));
        disjoint(op, "cols", cols, "x", x);
        CpuRuntime.ensureLoaded();
        NativeNn.dqw_nn_im2col1d_f32(x.floatPointer(), cols.floatPointer(), t, cin, kernel, stride, pad);
    }

    static void col2im1d(Tensor dcols, int kernel, int stride, int pad, Tensor dx, boolean accumulate) {
        final String op = "col2im1d";
        rank(op, "dx", f32(op, "dx", dx), 2);
        long t = dx.dim(0), cin = dx.dim(1);
        long tout = conv1dOutputLength(op, t, kernel, stride, pad);
        shape(op, "dcols", f32(op, "dcols", dcols), tout, Math.multiplyExact(cin, (long) kernel));
        disjoint(op, "dx", dx, "dcols", dcols);
        CpuRuntime.ensureLoaded();
        NativeNn.dqw_nn_col2im1d_f32(dcols.floatPointer(), dx.floatPointer(), t, cin, kernel, stride, pad, accumulate ? 1 : 0);
    }

    static void transpose2d(Tensor x, Tensor y) {
        final String op = "transpose2d";
        rank(op, "x", f32(op, "x", x), 2);
        shape(op, "y", f32(op, "y", y), x.dim(1), x.dim(0));
        disjoint(op, "y", y, "x", x);
        CpuRuntime.ensureLoaded();
        NativeNn.dqw_nn_transpose2d_f32(x.floatPointer(), y.floatPointer(), x.dim(0), x.dim(1));
    }

    /** Copies the ids and checks each is in [0, V); the message names the first bad one and its position. */
    private static void checkIds(String op, Tensor ids, Tensor table) {
        long v = table.dim(0);
        int[] values = ids.toIntArray();
        for (int n = 0; n < values.length; n++) {
            if (values[n] < 0 || values[n] >= v) {
                throw new IllegalArgumentException(op + ": id " + values[n] + " at position " + n + " of ids " + ids.describe()
                        + " is out of range [0, " + v + ") of " + table.describe());
            }
        }
    }

    /** out must be ids' shape plus a last dimension D. */
    private static void checkRowsShape(String op, String role, Tensor rows, Tensor ids, long d) {
        long[] expected = Arrays.copyOf(ids.shape(), ids.rank() + 1);
        expected[ids.rank()] = d;
        shape(op, role, rows, expected);
    }

    static void embeddingLookup(Tensor table, Tensor ids, Tensor out) {
        final String op = "embeddingLookup";
        rank(op, "table", f32(op, "table", table), 2);
        s32(op, "ids", ids);
        checkRowsShape(op, "out", f32(op, "out", out), ids, table.dim(1));
        disjoint(op, "out", out, "table", table);
        disjoint(op, "out", out, "ids", ids);
        checkIds(op, ids, table);
        CpuRuntime.ensureLoaded();
        NativeNn.dqw_nn_embedding_lookup_f32(table.floatPointer(), ids.intPointer(), out.floatPointer(), table.dim(0), table.dim(1),
                ids.numel());
    }

    static void embeddingBackward(Tensor dout, Tensor ids, Tensor dtable) {
        final String op = "embeddingBackward";
        rank(op, "dtable", f32(op, "dtable", dtable), 2);
        s32(op, "ids", ids);
        checkRowsShape(op, "dout", f32(op, "dout", dout), ids, dtable.dim(1));
        disjoint(op, "dtable", dtable, "dout", dout);
        disjoint(op, "dtable", dtable, "ids", ids);
        checkIds(op, ids, dtable);
        CpuRuntime.ensureLoaded();
        NativeNn.dqw_nn_embedding_backward_f32(dout.floatPointer(), ids.intPointer(), dtable.floatPointer(), dtable.dim(0),
                dtable.dim(1), ids.numel());
    }

    /** Checks x [B,T,D] or [T,D] against pos [Tmax,D] and offset; returns {B, T, D}. */
    private static long[] positionalDims(String op, String xRole, Tensor x, String posRole, Tensor pos, long offset) {
        f32(op, xRole, x);
        if (x.rank() != 2 && x.rank() != 3) {
            throw new IllegalArgumentException(op + ": " + xRole + " " + x.describe() + " must be [T,D] or [B,T,D]");
        }
        long b = x.rank() == 3 ? x.dim(0) : 1, t = x.dim(-2), d = x.dim(-1);
        shape(op, posRole, f32(op, posRole, pos), -1, d);
        if (offset < 0 || offset + t > pos.dim(0)) {
            throw new IllegalArgumentException(op + ": positions [" + offset + ", " + (offset + t) + ") are outside " + posRole + " "
                    + pos.describe());
        }
        disjoint(op, xRole, x, posRole, pos);
        return new long[] {b, t, d};
    }

    static void addPositional(Tensor x, Tensor pos, long offset) {
        long[] btd = positionalDims("addPositional", "x", x, "pos", pos, offset);
        CpuRuntime.ensureLoaded();
        NativeNn.dqw_nn_add_positional_f32(x.floatPointer(), pos.floatPointer(), btd[0], btd[1], btd[2], offset);
    }

    static void addPositionalBackward(Tensor dx, Tensor dpos, long offset) {
        long[] btd = positionalDims("addPositionalBackward", "dx", dx, "dpos", dpos, offset);
        CpuRuntime.ensureLoaded();
        // dpos[offset + t, :] += sum_b dx[b, t, :]: a bias gradient over B rows of width T*D
        NativeNn.dqw_nn_bias_grad_f32(dx.floatPointer(), dpos.floatPointer().position(offset * btd[2]), btd[0], btd[1] * btd[2]);
    }
}
