package org.dqwhisper.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GemmBackendsTest {
    @Test
    void availableHasOneDnnAndTheNativeBackendWhenItsClassExists() {
        List<GemmBackend> backends = GemmBackends.available();
        try {
            assertEquals("onednn", backends.get(0).name());
            boolean nativePresent = classExists(GemmBackends.NATIVE_BACKEND_CLASS);
            assertEquals(nativePresent ? 2 : 1, backends.size(), "backends: " + backends);
            if (nativePresent) assertEquals("native", backends.get(1).name());
        } finally {
            GemmBackends.closeAll(backends);
        }
    }

    @Test
    void reflectionLoadsAnyGemmBackendClassAndIgnoresTheRest() {
        ClassLoader loader = GemmBackendsTest.class.getClassLoader();
        Optional<GemmBackend> b = GemmBackends.nativeBackend(OneDnnGemmBackend.class.getName(), loader);
        assertTrue(b.isPresent());
        assertInstanceOf(OneDnnGemmBackend.class, b.get());
        GemmBackends.closeAll(List.of(b.get()));
        assertTrue(GemmBackends.nativeBackend("org.dqwhisper.kernels.NoSuchBackend", loader).isEmpty(), "missing class");
        assertTrue(GemmBackends.nativeBackend("java.lang.String", loader).isEmpty(), "not a GemmBackend");
        assertTrue(GemmBackends.nativeBackend(CpuRuntime.class.getName(), loader).isEmpty(), "no public constructor");
    }

    private static boolean classExists(String name) {
        try {
            Class.forName(name);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
