package dev.aqlm.runtime.cuda;

import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * The process-wide CUDA driver: JCuda's native binding (which needs libcuda.so.1) loaded and cuInit called, once.
 * When either fails, {@link #unavailableReason()} says why in words a user can act on. With
 * {@code AQLM_CUDA_EMULATOR=1} the driver is the CPU emulator ({@link CudaEmulator}).
 */
final class CudaDriver {
    private static final Object LOCK = new Object();
    private static boolean attempted;
    private static String failure;

    private CudaDriver() {
    }

    /** Null when the driver is loaded and initialised; otherwise the reason it is not. */
    public static String unavailableReason() {
        synchronized (LOCK) {
            if (!attempted) {
                attempted = true;
                failure = initialise();
            }
            return failure;
        }
    }

    /** True once the driver is loaded and initialised (never loads it). */
    static boolean initialised() {
        synchronized (LOCK) {
            return attempted && failure == null;
        }
    }

    /** Throws a {@link CudaUnavailableException} naming the reason when the driver cannot be used. */
    public static void require() {
        String reason = unavailableReason();
        if (reason != null) {
            throw new CudaUnavailableException(reason);
        }
    }

    private static String initialise() {
        if (CudaEmulator.requested()) {
            String emulator = CudaEmulator.load();  // before JCuda's binding, which links to libcuda.so.1
            if (emulator != null) {
                return emulator;
            }
        }
        int result;
        try {
            JCudaDriver.setExceptionsEnabled(false);
            result = JCudaDriver.cuInit(0);
        } catch (LinkageError e) {
            return describeLoadFailure(e);
        }
        if (result == CUresult.CUDA_ERROR_NO_DEVICE) {
            return "no CUDA device is visible (cuInit: CUDA_ERROR_NO_DEVICE; check CUDA_VISIBLE_DEVICES and nvidia-smi)";
        }
        if (result != CUresult.CUDA_SUCCESS) {
            return "the CUDA driver did not initialise (cuInit: " + CudaErrors.name(result) + ")";
        }
        return null;
    }

    /** A one-line reason from JCuda's (long, nested) native-library error. */
    static String describeLoadFailure(Throwable error) {
        String message = String.valueOf(error.getMessage());
        for (String line : message.split("\n")) {
            if (line.contains("libcuda")) {
                return "no CUDA driver: " + line.substring(line.indexOf("libcuda")).trim()
                        + " (install the NVIDIA driver, or run with --backend cpu)";
            }
        }
        String first = message.lines().findFirst().orElse(error.getClass().getSimpleName());
        return "the JCuda driver binding could not be loaded: " + first;
    }
}
