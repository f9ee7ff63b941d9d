package org.dqwhisper.cuda;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class CudaRuntimeTest {
    @Test
    void probeNeverThrowsAndExplainsItself() {
        CudaRuntime.Status s = CudaRuntime.status();
        assertNotNull(s.state());
        if (!s.available()) {
            assertNotNull(s.detail(), "a missing GPU is explained");
            assertFalse(s.detail().isBlank());
        } else {
            assertTrue(s.deviceCount() > 0);
        }
        assertSame(s, CudaRuntime.status(), "probed once");
    }
}
