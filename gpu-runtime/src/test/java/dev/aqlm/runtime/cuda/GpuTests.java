package dev.aqlm.runtime.cuda;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * GPU tests skip, with the availability reason, where the CUDA backend cannot run. On the CUDA emulator
 * ({@code AQLM_CUDA_EMULATOR=1}, as in the build's gpu-tests-on-emulator run) they skip only when the build has no
 * emulator (no g++); any other reason the backend is unusable there is a failure, not a skip.
 */
public final class GpuTests {
    private GpuTests() {
    }

    public static CudaDevice requireDevice() {
        if (CudaEmulator.requested()) {
            String notBuilt = CudaEmulator.notBuiltReason();
            assumeTrue(notBuilt == null, () -> "CUDA emulator unavailable: " + notBuilt);
        }
        CudaAvailability availability = CudaAvailability.check(0);
        if (!availability.usable() && CudaEmulator.requested()) {
            fail("the CUDA backend is unusable on the CUDA emulator: " + availability.reason());
        }
        assumeTrue(availability.usable(), () -> "CUDA backend unavailable: " + availability.reason());
        return availability.device();
    }
}
