package org.dqwhisper.kernels;

import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The GEMM backends this build can run: oneDNN ({@link OneDnnGemmBackend}) and, when the class is on the
 * class path, our native kernels ({@value #NATIVE_BACKEND_CLASS}, found by name so that this registry
 * compiles and runs with or without it). Each call creates new instances: close them with
 * {@link #closeAll}.
 */
public final class GemmBackends {
    /** The native backend's class; it needs a public no-argument constructor. */
    public static final String NATIVE_BACKEND_CLASS = "org.dqwhisper.kernels.NativeGemmBackend";

    private static final Logger LOG = LoggerFactory.getLogger(GemmBackends.class);

    private GemmBackends() {}

    /** New instances of every backend that loads here, oneDNN first; a backend that fails to load is logged and left out. */
    public static List<GemmBackend> available() {
        List<GemmBackend> out = new ArrayList<>();
        try {
            out.add(new OneDnnGemmBackend());
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("oneDNN backend unavailable: {}", e.toString());
        }
        nativeBackend(NATIVE_BACKEND_CLASS, GemmBackends.class.getClassLoader()).ifPresent(out::add);
        return out;
    }

    /** The backend class {@code className} instantiated through its no-argument constructor, if it exists and loads. */
    static Optional<GemmBackend> nativeBackend(String className, ClassLoader loader) {
        Class<?> type;
        try {
            type = Class.forName(className, true, loader);
        } catch (ClassNotFoundException e) {
            LOG.debug("{} is not in this build", className);
            return Optional.empty();
        } catch (LinkageError e) {
            LOG.warn("{} cannot be loaded: {}", className, e.toString());
            return Optional.empty();
        }
        if (!GemmBackend.class.isAssignableFrom(type)) {
            LOG.warn("{} does not implement GemmBackend; ignored", className);
            return Optional.empty();
        }
        try {
            return Optional.of((GemmBackend) type.getConstructor().newInstance());
        } catch (InvocationTargetException e) {
            LOG.warn("{} failed to start: {}", className, String.valueOf(e.getCause()));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.warn("{} cannot be created: {}", className, e.toString());
        }
        return Optional.empty();
    }

    /** Closes every backend that is {@link AutoCloseable}; the first failure is rethrown after all are tried. */
    public static void closeAll(Collection<? extends GemmBackend> backends) {
        RuntimeException first = null;
        for (GemmBackend b : backends) {
            if (b instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    if (first == null) first = new IllegalStateException("cannot close backend " + b.name() + ": " + e, e);
                }
            }
        }
        if (first != null) throw first;
    }
}
