package dev.aqlm.runtime.cuda;

import dev.aqlm.runtime.errors.AqlmException;
import jcuda.driver.CUresult;

/**
 * A failed CUDA driver call. The message names the operation (for a launch: the kernel, its grid and its shapes) and
 * the CUresult. {@link #isContextPoisoned()} says whether the device context is now unusable, in which case the only
 * recovery is a new process.
 */
public class CudaException extends AqlmException {
    private final int result;

    public CudaException(String operation, int result) {
        super(operation + " failed: " + CudaErrors.name(result) + " (" + result + ")" + detail(result)
                + (CudaErrors.isContextPoisoning(result)
                ? "; the CUDA context is unusable from now on, restart the process" : ""));
        this.result = result;
    }

    protected CudaException(String message, int result, boolean verbatim) {
        super(message);
        this.result = result;
    }

    /** A kernel fault's description, where the driver gives one (the emulator names kernel, thread and address). */
    private static String detail(int result) {
        if (!CudaErrors.isContextPoisoning(result)) {
            return "";
        }
        String description = CudaErrors.description(result);
        return description == null ? "" : ": " + description;
    }

    /** Throws when {@code result} is not CUDA_SUCCESS; {@code operation} says what was attempted. */
    public static void check(int result, String operation) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new CudaException(operation, result);
        }
    }

    public int result() {
        return result;
    }

    /** True after an error that leaves the context unusable (illegal address, launch failure, ECC, ...). */
    public boolean isContextPoisoned() {
        return CudaErrors.isContextPoisoning(result);
    }

    /** A poisoned context poisons the process: a Spark executor halts on it so the cluster manager replaces it. */
    @Override
    public boolean poisonsProcess() {
        return isContextPoisoned();
    }
}
