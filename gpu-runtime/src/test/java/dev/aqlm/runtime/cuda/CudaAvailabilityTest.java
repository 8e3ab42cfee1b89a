package dev.aqlm.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

class CudaAvailabilityTest {
    @Test
    void checkNeverThrowsAndExplainsAnyUnavailability() {
        CudaAvailability availability = CudaAvailability.check(0);
        if (availability.usable()) {
            assertNotNull(availability.device());
            assertTrue(availability.device().isSupported());
        } else {
            assertNotNull(availability.reason());
            assertFalse(availability.reason().isBlank());
        }
    }

    @Test
    void missingDriverIsReportedAsSuch() {
        assumeTrue(CudaDriver.unavailableReason() != null, "a CUDA driver is present here");
        String reason = CudaAvailability.check(0).reason();
        assertTrue(reason.contains("libcuda") || reason.contains("CUDA"), reason);
    }

    @Test
    void nativeLoadFailureBecomesOneReadableLine() {
        UnsatisfiedLinkError error = new UnsatisfiedLinkError("Error while loading native library \"JCudaDriver\"\n"
                + "Stack trace from the attempt to load the library as a resource:\n"
                + "java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver-12.6.0-linux-x86_64.so: libcuda.so.1: cannot"
                + " open shared object file: No such file or directory\n\tat java.base/...");
        String reason = CudaDriver.describeLoadFailure(error);
        assertEquals("no CUDA driver: libcuda.so.1: cannot open shared object file: No such file or directory"
                + " (install the NVIDIA driver, or run with --backend cpu)", reason);
    }

    @Test
    void kernelImageIsPresentOrExplainsWhy() {
        String reason = KernelImage.unavailableReason();
        if (reason == null) {
            assertTrue(KernelImage.bytes().length > 0);
        } else {
            assertTrue(reason.contains("nvcc") || reason.contains("classpath"), reason);
        }
    }

    @Test
    void devicesAreNumberedInPciBusOrder() {
        int[] order = PciBusOrder.driverIndicesInBusOrder(java.util.List.of(
                new PciBusOrder.Entry(0, "0000:AF:00.0"),
                new PciBusOrder.Entry(1, "0000:3B:00.0"),
                new PciBusOrder.Entry(2, "0001:18:00.0"),
                new PciBusOrder.Entry(3, "86:00.0")));
        assertEquals(java.util.List.of(1, 3, 0, 2), java.util.Arrays.stream(order).boxed().toList());
        assertEquals(PciBusOrder.normalise("0000:3b:00.0"), PciBusOrder.normalise("3B:00.0"));
    }
}
