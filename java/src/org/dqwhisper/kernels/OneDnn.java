package org.dqwhisper.kernels;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE;

import java.util.Locale;
import org.bytedeco.dnnl.dnnl_version_t;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive_desc_base;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process-wide oneDNN state and small helpers shared by the oneDNN plans: the one CPU engine (never
 * closed: it is cheap, and every oneDNN memory the backends create refers to it), descriptor
 * factories, and the OpenMP thread count oneDNN runs with.
 */
final class OneDnn {
    private static final Logger LOG = LoggerFactory.getLogger(OneDnn.class);
    private static engine cpu;

    private OneDnn() {}

    /** The CPU engine; loads the oneDNN natives on first use and names the cause when they cannot load. */
    static synchronized engine cpuEngine() {
        if (cpu == null) {
            try {
                cpu = new engine(engine.kind.cpu, 0);
            } catch (Throwable t) {
                throw new IllegalStateException("cannot load oneDNN (org.bytedeco:dnnl) for "
                        + System.getProperty("os.name") + "/" + System.getProperty("os.arch") + ": " + t, t);
            }
            LOG.debug("oneDNN {} CPU engine created, OpenMP threads {}", version(), openMpThreads());
        }
        return cpu;
    }

    /** "major.minor.patch" of the loaded oneDNN. */
    static String version() {
        cpuEngine();
        dnnl_version_t v = dnnl.dnnl_version();
        return v.major() + "." + v.minor() + "." + v.patch();
    }

    /**
     * Threads oneDNN's parallel regions use: oneDNN is built with OpenMP (bundled libgomp) and has no
     * per-call thread control, so this is the process setting, fixed at start-up: the first value of
     * {@code OMP_NUM_THREADS} if set, else the processors available to the JVM (which is what libgomp
     * uses by default: the CPUs in the affinity mask).
     */
    static int openMpThreads() {
        String env = System.getenv("OMP_NUM_THREADS");
        if (env != null && !env.isBlank()) {
            String first = env.split(",")[0].trim();
            try {
                int n = Integer.parseInt(first);
                if (n >= 1) return n;
            } catch (NumberFormatException ignored) {
                // libgomp ignores an unparsable value too
            }
        }
        return Runtime.getRuntime().availableProcessors();
    }

    static memory.desc desc(NativeObjectList objects, long[] dims, memory.data_type type, memory.format_tag tag) {
        return objects.add(new memory.desc(dims, type, tag));
    }

    static memory.desc strided(NativeObjectList objects, long[] dims, memory.data_type type, long[] strides) {
        return objects.add(new memory.desc(dims, type, strides));
    }

    /** A memory object with no buffer yet: the caller binds a buffer with {@code set_data_handle} before each run. */
    static memory unbound(NativeObjectList objects, memory.desc desc) {
        return objects.add(new memory(desc, cpuEngine(), (Pointer) null));
    }

    /** A memory object with a buffer oneDNN allocates and frees with it. */
    static memory allocated(NativeObjectList objects, memory.desc desc) {
        return objects.add(new memory(desc, cpuEngine()));
    }

    /** Execution-argument key of the {@code index}-th post-op's extra input ({@code DNNL_ARG_ATTR_MULTIPLE_POST_OP(i)}). */
    static int postOpArg(int index) {
        return DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE * (index + 1);
    }

    /** The implementation oneDNN picked, e.g. "brg_matmul:avx512_core_vnni"; warns when it is the slow reference one. */
    static String implementation(NativeObjectList objects, primitive_desc_base pd, String what) {
        BytePointer s = objects.add(pd.impl_info_str());
        String impl = s.getString();
        if (impl.toLowerCase(Locale.ROOT).startsWith("ref")) {
            LOG.warn("oneDNN picked its reference (slow) implementation '{}' for {}", impl, what);
        } else {
            LOG.debug("oneDNN implementation '{}' for {}", impl, what);
        }
        return impl;
    }

    /** A oneDNN failure (dnnl::error arrives as RuntimeException) turned into a message that names the operation. */
    static IllegalStateException failure(String what, RuntimeException e) {
        return new IllegalStateException("oneDNN cannot " + what + ": " + e.getMessage(), e);
    }
}
