package dev.aqlm.runtime.cuda;

import jcuda.driver.CUresult;

/** A device allocation that did not fit; the message says what was being allocated, how much, and what to lower. */
final class CudaOutOfMemoryException extends CudaException {
    private final long requestedBytes;

    public CudaOutOfMemoryException(String message, long requestedBytes) {
        super(message, CUresult.CUDA_ERROR_OUT_OF_MEMORY, true);
        this.requestedBytes = requestedBytes;
    }

    public long requestedBytes() {
        return requestedBytes;
    }
}
