package dev.aqlm.runtime.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** GPU tests skip, with the availability reason, where the CUDA backend cannot run. */
final class GpuTests {
    private GpuTests() {
    }

    static CudaDevice requireDevice() {
        CudaAvailability availability = CudaAvailability.check(0);
        assumeTrue(availability.usable(), () -> "CUDA backend unavailable: " + availability.reason());
        return availability.device();
    }
}
