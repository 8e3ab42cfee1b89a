package dev.aqlm.runtime.cuda;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/**
 * Kernel tests that drive one CUDA context directly: opened and made current before a class's tests (skipping them
 * where no device, real or emulated, is there), closed after them.
 */
@Tag("gpu")
abstract class CudaContextTestBase {
    static CudaContext context;

    @BeforeAll
    static void openContext() {
        context = new CudaContext(GpuTests.requireDevice());
        context.makeCurrent();
    }

    @AfterAll
    static void closeContext() {
        if (context != null) {
            context.close();
            context = null;
        }
    }
}
