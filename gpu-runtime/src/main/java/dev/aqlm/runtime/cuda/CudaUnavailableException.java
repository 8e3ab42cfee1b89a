package dev.aqlm.runtime.cuda;

import dev.aqlm.runtime.errors.AqlmException;

/** The CUDA backend cannot run here; the message is the reason (no driver, no device, no kernels, old GPU). */
public final class CudaUnavailableException extends AqlmException {
    public CudaUnavailableException(String reason) {
        super("the CUDA backend is unavailable: " + reason);
    }
}
