package dev.aqlm.runtime.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jcuda.Pointer;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/** Page-locked host memory: asynchronous copies to and from the device (the per-step inputs and sampled tokens). */
final class PinnedHostBuffer implements AutoCloseable {
    private final Pointer pointer = new Pointer();
    private final ByteBuffer view;
    private final long bytes;
    private boolean freed;

    public PinnedHostBuffer(long bytes) {
        this(bytes, false);
    }

    private PinnedHostBuffer(long bytes, boolean portable) {
        this.bytes = bytes;
        if (portable) {
            CudaException.check(JCudaDriver.cuMemHostAlloc(pointer, bytes,
                    JCudaDriver.CU_MEMHOSTALLOC_PORTABLE | JCudaDriver.CU_MEMHOSTALLOC_DEVICEMAP),
                    "cuMemHostAlloc(" + bytes + " bytes, portable, device-mapped)");
        } else {
            CudaException.check(JCudaDriver.cuMemAllocHost(pointer, bytes), "cuMemAllocHost(" + bytes + " bytes)");
        }
        this.view = pointer.getByteBuffer(0, bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Pinned memory that kernels of every context can read and write, at {@link #deviceAddress()}. */
    static PinnedHostBuffer portable(long bytes) {
        return new PinnedHostBuffer(bytes, true);
    }

    /** Where kernels reach this memory (the host address itself, with unified addressing). */
    DeviceAddress deviceAddress() {
        DevicePointer device = new DevicePointer();
        CudaException.check(JCudaDriver.cuMemHostGetDevicePointer(device, pointer, 0), "cuMemHostGetDevicePointer");
        return new DeviceAddress(device.address());
    }

    /** A little-endian view of the whole buffer (position 0). */
    public ByteBuffer view() {
        return view.duplicate().order(ByteOrder.LITTLE_ENDIAN).clear();
    }

    public void copyTo(DeviceBuffer device, long deviceOffset, long length, CUstream stream) {
        check(length);
        CudaException.check(JCudaDriver.cuMemcpyHtoDAsync(device.at(deviceOffset), pointer, length, stream),
                "copy of " + length + " bytes to " + device.label());
    }

    public void copyFrom(DeviceBuffer device, long deviceOffset, long length, CUstream stream) {
        check(length);
        CudaException.check(JCudaDriver.cuMemcpyDtoHAsync(pointer, device.at(deviceOffset), length, stream),
                "copy of " + length + " bytes from " + device.label());
    }

    private void check(long length) {
        if (freed || length > bytes) {
            throw new IllegalStateException("pinned buffer of " + bytes + " bytes: cannot copy " + length);
        }
    }

    @Override
    public void close() {
        if (!freed) {
            freed = true;
            JCudaDriver.cuMemFreeHost(pointer);
        }
    }
}
