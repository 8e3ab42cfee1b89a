package dev.aqlm.runtime.cuda;

import java.nio.ByteBuffer;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/**
 * Device memory with one owner: freed by {@link #close()} (idempotent). Allocated through {@link CudaContext#allocate},
 * which names the buffer in any out-of-memory error.
 */
public final class DeviceBuffer implements AutoCloseable {
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
    public long address(long offset) {
        checkRange(offset, 0);
        return pointer.address() + offset;
    }

    public long address() {
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
        CudaException.check(JCudaDriver.cuMemcpyHtoD(at(offset), Pointer.to(source.slice()), length),
                "upload of " + length + " bytes to " + label);
    }

    public void upload(int[] values, long offset) {
        checkRange(offset, 4L * values.length);
        CudaException.check(JCudaDriver.cuMemcpyHtoD(at(offset), Pointer.to(values), 4L * values.length),
                "upload to " + label);
    }

    public void upload(float[] values, long offset) {
        checkRange(offset, 4L * values.length);
        CudaException.check(JCudaDriver.cuMemcpyHtoD(at(offset), Pointer.to(values), 4L * values.length),
                "upload to " + label);
    }

    public void upload(byte[] values, long offset) {
        checkRange(offset, values.length);
        CudaException.check(JCudaDriver.cuMemcpyHtoD(at(offset), Pointer.to(values), values.length),
                "upload to " + label);
    }

    public void download(float[] values, long offset) {
        checkRange(offset, 4L * values.length);
        CudaException.check(JCudaDriver.cuMemcpyDtoH(Pointer.to(values), at(offset), 4L * values.length),
                "download from " + label);
    }

    public void download(int[] values, long offset) {
        checkRange(offset, 4L * values.length);
        CudaException.check(JCudaDriver.cuMemcpyDtoH(Pointer.to(values), at(offset), 4L * values.length),
                "download from " + label);
    }

    public void download(short[] values, long offset) {
        checkRange(offset, 2L * values.length);
        CudaException.check(JCudaDriver.cuMemcpyDtoH(Pointer.to(values), at(offset), 2L * values.length),
                "download from " + label);
    }

    /** Fills [offset, offset + length) with a byte value, in stream order. */
    public void fill(byte value, long offset, long length, CUstream stream) {
        checkRange(offset, length);
        CudaException.check(JCudaDriver.cuMemsetD8Async(at(offset), value, length, stream), "memset of " + label);
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
