package dev.aqlm.runtime.cuda;

import java.util.Set;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * What a CUresult means for the process. Most errors concern one call; a few are sticky: after them every later call
 * in the context fails the same way and only a new process recovers (the Spark executor exits so the cluster manager
 * replaces it).
 */
final class CudaErrors {
    /** Codes the CUDA documentation lists as leaving the context in an unusable state. */
    private static final Set<Integer> STICKY = Set.of(
            CUresult.CUDA_ERROR_ILLEGAL_ADDRESS,
            CUresult.CUDA_ERROR_LAUNCH_FAILED,
            CUresult.CUDA_ERROR_HARDWARE_STACK_ERROR,
            CUresult.CUDA_ERROR_ILLEGAL_INSTRUCTION,
            CUresult.CUDA_ERROR_MISALIGNED_ADDRESS,
            CUresult.CUDA_ERROR_INVALID_ADDRESS_SPACE,
            CUresult.CUDA_ERROR_INVALID_PC,
            CUresult.CUDA_ERROR_ECC_UNCORRECTABLE,
            CUresult.CUDA_ERROR_ASSERT,
            CUresult.CUDA_ERROR_CONTEXT_IS_DESTROYED,
            CUresult.CUDA_ERROR_LAUNCH_TIMEOUT,
            CUresult.CUDA_ERROR_DEVICE_UNAVAILABLE);

    /**
     * Codes with which the driver refuses the kernel image itself: code built by a newer toolkit than the driver
     * supports, no code for this GPU, PTX it cannot compile. The CUDA backend is then unavailable, not broken.
     */
    private static final Set<Integer> IMAGE_REJECTED = Set.of(
            CUresult.CUDA_ERROR_INVALID_IMAGE,
            CUresult.CUDA_ERROR_NO_BINARY_FOR_GPU,
            CUresult.CUDA_ERROR_INVALID_PTX,
            CUresult.CUDA_ERROR_JIT_COMPILER_NOT_FOUND,
            CUresult.CUDA_ERROR_UNSUPPORTED_PTX_VERSION,
            CUresult.CUDA_ERROR_JIT_COMPILATION_DISABLED,
            CUresult.CUDA_ERROR_INVALID_SOURCE);

    private CudaErrors() {
    }

    /** True when cuModuleLoadData's failure means this driver or GPU cannot run the fatbin at all. */
    public static boolean isKernelImageRejected(int result) {
        return IMAGE_REJECTED.contains(result);
    }

    /** A driver version as cuDriverGetVersion reports it (12040) in the usual form ("12.4"). */
    public static String driverVersion(int version) {
        return version / 1000 + "." + version % 1000 / 10;
    }

    /** The symbolic name, e.g. "CUDA_ERROR_ILLEGAL_ADDRESS" (CUresult's table needs no native library). */
    public static String name(int result) {
        return CUresult.stringFor(result);
    }

    /**
     * The driver's own words for an error (cuGetErrorString), or null when the driver is not loaded. The CUDA emulator
     * answers a kernel fault with what it saw: the kernel, block, thread and address.
     */
    public static String description(int result) {
        if (!CudaDriver.initialised()) {
            return null;
        }
        String[] text = new String[1];
        return JCudaDriver.cuGetErrorString(result, text) == CUresult.CUDA_SUCCESS ? text[0] : null;
    }

    /** True when the error poisons the context: nothing more can run in this process on that device. */
    public static boolean isContextPoisoning(int result) {
        return STICKY.contains(result);
    }

    public static boolean isOutOfMemory(int result) {
        return result == CUresult.CUDA_ERROR_OUT_OF_MEMORY;
    }
}
