package dev.aqlm.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.errors.AqlmException;
import jcuda.driver.CUresult;
import org.junit.jupiter.api.Test;

class CudaErrorsTest {
    @Test
    void stickyErrorsPoisonTheContext() {
        for (int code : new int[] {CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, CUresult.CUDA_ERROR_LAUNCH_FAILED,
                CUresult.CUDA_ERROR_ECC_UNCORRECTABLE, CUresult.CUDA_ERROR_MISALIGNED_ADDRESS,
                CUresult.CUDA_ERROR_ILLEGAL_INSTRUCTION, CUresult.CUDA_ERROR_HARDWARE_STACK_ERROR,
                CUresult.CUDA_ERROR_ASSERT, CUresult.CUDA_ERROR_LAUNCH_TIMEOUT}) {
            assertTrue(CudaErrors.isContextPoisoning(code), CudaErrors.name(code));
            assertTrue(new CudaException("x", code).isContextPoisoned());
        }
    }

    @Test
    void recoverableErrorsDoNotPoisonTheContext() {
        for (int code : new int[] {CUresult.CUDA_ERROR_OUT_OF_MEMORY, CUresult.CUDA_ERROR_INVALID_VALUE,
                CUresult.CUDA_ERROR_NOT_FOUND, CUresult.CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES,
                CUresult.CUDA_ERROR_INVALID_HANDLE}) {
            assertFalse(CudaErrors.isContextPoisoning(code), CudaErrors.name(code));
        }
        assertTrue(CudaErrors.isOutOfMemory(CUresult.CUDA_ERROR_OUT_OF_MEMORY));
    }

    @Test
    void messageNamesTheOperationAndTheError() {
        CudaException error = new CudaException("launch of linear_f16_w2_small grid (128, 1, 1) (rows 1, n 4096)",
                CUresult.CUDA_ERROR_ILLEGAL_ADDRESS);
        assertTrue(error.getMessage().contains("linear_f16_w2_small"), error.getMessage());
        assertTrue(error.getMessage().contains("CUDA_ERROR_ILLEGAL_ADDRESS"), error.getMessage());
        assertTrue(error.getMessage().contains("restart the process"), error.getMessage());
        assertTrue(error instanceof AqlmException);
        assertEquals(CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, error.result());
    }

    @Test
    void checkPassesSuccessAndThrowsOnFailure() {
        CudaException.check(CUresult.CUDA_SUCCESS, "nothing");
        CudaException error = assertThrows(CudaException.class,
                () -> CudaException.check(CUresult.CUDA_ERROR_INVALID_VALUE, "cuMemAlloc of 12 bytes for codes"));
        assertTrue(error.getMessage().startsWith("cuMemAlloc of 12 bytes for codes failed"), error.getMessage());
        assertFalse(error.isContextPoisoned());
    }

    @Test
    void aRefusedKernelImageMakesTheBackendUnavailableWithTheDriverVersion() {
        for (int code : new int[] {CUresult.CUDA_ERROR_UNSUPPORTED_PTX_VERSION, CUresult.CUDA_ERROR_NO_BINARY_FOR_GPU,
                CUresult.CUDA_ERROR_INVALID_IMAGE}) {
            assertTrue(CudaErrors.isKernelImageRejected(code), CudaErrors.name(code));
        }
        assertFalse(CudaErrors.isKernelImageRejected(CUresult.CUDA_ERROR_OUT_OF_MEMORY));
        assertFalse(CudaErrors.isKernelImageRejected(CUresult.CUDA_ERROR_ILLEGAL_ADDRESS));
        assertEquals("12.4", CudaErrors.driverVersion(12040));
        assertEquals("13.0", CudaErrors.driverVersion(13000));
        String reason = KernelImage.rejectedReason(CUresult.CUDA_ERROR_UNSUPPORTED_PTX_VERSION, 12080, "13.0", "cuda:0 X");
        assertTrue(reason.contains("driver (12.8)") && reason.contains("CUDA 13.0")
                && reason.contains("CUDA_ERROR_UNSUPPORTED_PTX_VERSION"), reason);
        assertTrue(new CudaUnavailableException(reason).getMessage().startsWith("the CUDA backend is unavailable"));
    }

    @Test
    void theBuildRecordsTheToolkitThatBuiltTheKernels() {
        org.junit.jupiter.api.Assumptions.assumeTrue(KernelImage.unavailableReason() == null, "no fatbin in this build");
        String version = KernelImage.toolkitVersion();
        assertTrue(version != null && version.matches("\\d+\\.\\d+"), String.valueOf(version));
    }

    @Test
    void outOfMemoryIsACudaExceptionThatDoesNotPoison() {
        CudaOutOfMemoryException error = new CudaOutOfMemoryException("out of GPU memory allocating KV cache", 42);
        assertEquals(42, error.requestedBytes());
        assertFalse(error.isContextPoisoned());
        assertEquals("out of GPU memory allocating KV cache", error.getMessage());
    }
}
