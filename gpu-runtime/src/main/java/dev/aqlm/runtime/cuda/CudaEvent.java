package dev.aqlm.runtime.cuda;

import jcuda.driver.CUevent;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/** A timing event on a stream (device-side timestamps: the honest way to time asynchronous work). */
final class CudaEvent implements AutoCloseable {
    private final CUevent event = new CUevent();
    private boolean closed;

    public CudaEvent() {
        CudaException.check(JCudaDriver.cuEventCreate(event, 0), "cuEventCreate");
    }

    public void record(CUstream stream) {
        CudaException.check(JCudaDriver.cuEventRecord(event, stream), "cuEventRecord");
    }

    /** Milliseconds from {@code start} to this event; waits for this event first. */
    public float millisSince(CudaEvent start) {
        CudaException.check(JCudaDriver.cuEventSynchronize(event), "cuEventSynchronize");
        float[] ms = new float[1];
        CudaException.check(JCudaDriver.cuEventElapsedTime(ms, start.event, event), "cuEventElapsedTime");
        return ms[0];
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            JCudaDriver.cuEventDestroy(event);
        }
    }
}
