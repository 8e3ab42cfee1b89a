package dev.aqlm.runtime.cuda;

import java.nio.ByteBuffer;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/**
 * Device memory with one owner: freed by {@link #close()} (idempotent). Allocated through {@link CudaContext#allocate},
 * which names the buffer in any out-of-memory error.
 *
 * <p>{@code upload} and {@code download} are synchronous in the full sense: they wait for every kernel already enqueued
 * in the context, and an upload has landed in device memory when it returns. The plain driver copies do not promise
 * that here: they run in the legacy NULL stream, which does not order itself against the context's stream (created
 * non-blocking, {@link CudaContext}), and a copy from pageable host memory returns once the data is staged, possibly
 * before its DMA has reached device memory. Without the context synchronisations a kernel launched right after an
 * upload could read the old contents, and a download could overtake the kernels that write the buffer.
 */
final class DeviceBuffer implements AutoCloseable {
    private final DevicePointer pointer;
    private final long bytes;
    private final String label;
    private boolean freed;

    DeviceBuffer(DevicePointer pointer, long bytes, String label) {
        this.pointer = pointer;
        this.bytes = bytes;
        this.label = label;
    }

    public long bytes() {
        return bytes;
    }

    public String label() {
        return label;
    }

    /** The device address of byte {@code offset} (for kernel arguments). */
    public DeviceAddress address(long offset) {
        checkRange(offset, 0);
        return new DeviceAddress(pointer.address() + offset);
    }

    public DeviceAddress address() {
        return address(0);
    }

    CUdeviceptr at(long offset) {
        checkRange(offset, 0);
        return pointer.withByteOffset(offset);
    }

    /** Copies {@code source} (a direct buffer, from its position to its limit) to byte {@code offset}; synchronous. */
    public void upload(ByteBuffer source, long offset) {
        int length = source.remaining();
        checkRange(offset, length);
        synchronizeContext("upload of " + length + " bytes to " + label);
        CudaException.check(JCudaDriver.cuMemcpyHtoD(at(offset), Pointer.to(source.slice()), length),
                "upload of " + length + " bytes to " + label);
        synchronizeContext("upload of " + length + " bytes to " + label);
    }

    public void upload(int[] values, long offset) {
        checkRange(offset, 4L * values.length);
        synchronizeContext("upload to " + label);
        CudaException.check(JCudaDriver.cuMemcpyHtoD(at(offset), Pointer.to(values), 4L * values.length),
                "upload to " + label);
        synchronizeContext("upload to " + label);
    }

    public void upload(float[] values, long offset) {
        checkRange(offset, 4L * values.length);
        synchronizeContext("upload to " + label);
        CudaException.check(JCudaDriver.cuMemcpyHtoD(at(offset), Pointer.to(values), 4L * values.length),
                "upload to " + label);
        synchronizeContext("upload to " + label);
    }

    public void upload(byte[] values, long offset) {
        checkRange(offset, values.length);
        synchronizeContext("upload to " + label);
        CudaException.check(JCudaDriver.cuMemcpyHtoD(at(offset), Pointer.to(values), values.length),
                "upload to " + label);
        synchronizeContext("upload to " + label);
    }

    public void download(float[] values, long offset) {
        checkRange(offset, 4L * values.length);
        synchronizeContext("download from " + label);
        CudaException.check(JCudaDriver.cuMemcpyDtoH(Pointer.to(values), at(offset), 4L * values.length),
                "download from " + label);
    }

    public void download(int[] values, long offset) {
        checkRange(offset, 4L * values.length);
        synchronizeContext("download from " + label);
        CudaException.check(JCudaDriver.cuMemcpyDtoH(Pointer.to(values), at(offset), 4L * values.length),
                "download from " + label);
    }

    public void download(short[] values, long offset) {
        checkRange(offset, 2L * values.length);
        synchronizeContext("download from " + label);
        CudaException.check(JCudaDriver.cuMemcpyDtoH(Pointer.to(values), at(offset), 2L * values.length),
                "download from " + label);
    }

    /** Fills [offset, offset + length) with a byte value, in stream order. */
    public void fill(byte value, long offset, long length, CUstream stream) {
        checkRange(offset, length);
        CudaException.check(JCudaDriver.cuMemsetD8Async(at(offset), value, length, stream), "memset of " + label);
    }

    /**
     * Waits for all work of the current context (the stream's kernels, and a pageable upload's DMA). An asynchronous
     * kernel fault surfaces here, named after the copy that waited for it.
     */
    private static void synchronizeContext(String what) {
        CudaException.check(JCudaDriver.cuCtxSynchronize(), what + " (waiting for the device)");
    }

    private void checkRange(long offset, long length) {
        if (freed) {
            throw new IllegalStateException(label + " was already freed");
        }
        if (offset < 0 || length < 0 || offset + length > bytes) {
            throw new IndexOutOfBoundsException("bytes [" + offset + ", " + (offset + length) + ") of " + label
                    + " (" + bytes + " bytes)");
        }
    }

    @Override
    public void close() {
        if (!freed) {
            freed = true;
            JCudaDriver.cuMemFree(pointer);
        }
    }
}
