package dev.aqlm.runtime.cuda;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jcuda.driver.CUcontext;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.CUfunction;
import jcuda.driver.JCudaDriver;

/**
 * One device's context, its stream (and one more per further tensor-parallel shard hosted on the same device) and the
 * kernels loaded into it. Every call that touches the device first makes
 * the context current on the calling thread ({@link #makeCurrent()}), since Spark may call from any task thread.
 */
final class CudaContext implements AutoCloseable {
    private static final int STREAM_NON_BLOCKING = 1;

    private final CudaDevice device;
    private final CUcontext context = new CUcontext();
    private final CUstream stream = new CUstream();
    private final CUmodule module = new CUmodule();
    private final List<CUstream> extraStreams = new ArrayList<>();
    private final Map<String, Kernel> kernels = new HashMap<>();
    private long allocatedBytes;
    private boolean closed;

    public CudaContext(CudaDevice device) {
        this.device = device;
        CudaException.check(JCudaDriver.cuCtxCreate(context, 0, device.handle()), "cuCtxCreate on " + device.describe());
        try {
            CudaException.check(JCudaDriver.cuStreamCreate(stream, STREAM_NON_BLOCKING), "cuStreamCreate");
            int loaded = JCudaDriver.cuModuleLoadData(module, KernelImage.bytes());
            if (CudaErrors.isKernelImageRejected(loaded)) {
                // E.g. kernels built by CUDA 13 on an R55x/R57x driver: unavailable, so AUTO falls back to the CPU.
                int[] version = new int[1];
                JCudaDriver.cuDriverGetVersion(version);
                throw new CudaUnavailableException(KernelImage.rejectedReason(loaded, version[0],
                        KernelImage.toolkitVersion(), device.describe()));
            }
            CudaException.check(loaded, "loading the kernel fatbin (" + KernelImage.RESOURCE + ") on "
                    + device.describe());
        } catch (RuntimeException e) {
            JCudaDriver.cuCtxDestroy(context);
            throw e;
        }
    }

    public CudaDevice device() {
        return device;
    }

    public CUstream stream() {
        return stream;
    }

    /**
     * A further stream of this context, destroyed with it: two tensor-parallel shards on one device must run side by
     * side, since each waits for the other inside its exchange kernel.
     */
    CUstream newStream() {
        makeCurrent();
        CUstream extra = new CUstream();
        CudaException.check(JCudaDriver.cuStreamCreate(extra, STREAM_NON_BLOCKING), "cuStreamCreate");
        extraStreams.add(extra);
        return extra;
    }

    /** Whether kernels of this context can reach {@code other}'s memory once peer access is enabled (or share it). */
    boolean canReach(CudaContext other) {
        if (other.device.ordinal() == device.ordinal()) {
            return true;
        }
        int[] can = new int[1];
        CudaException.check(JCudaDriver.cuDeviceCanAccessPeer(can, device.handle(), other.device.handle()),
                "cuDeviceCanAccessPeer");
        return can[0] != 0;
    }

    /** Lets this context's kernels read and write {@code peer}'s memory (a no-op on the same device). */
    void enablePeerAccess(CudaContext peer) {
        if (peer.device.ordinal() == device.ordinal()) {
            return;
        }
        makeCurrent();
        int result = JCudaDriver.cuCtxEnablePeerAccess(peer.context, 0);
        if (result != jcuda.driver.CUresult.CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED) {
            CudaException.check(result, "enabling peer access from " + device.describe() + " to "
                    + peer.device.describe());
        }
    }

    public void makeCurrent() {
        CudaException.check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
    }

    /** The named kernel (looked up once). */
    public synchronized Kernel kernel(String name) {
        Kernel kernel = kernels.get(name);
        if (kernel == null) {
            CUfunction function = new CUfunction();
            CudaException.check(JCudaDriver.cuModuleGetFunction(function, module, name),
                    "looking up kernel " + name + " in the fatbin");
            kernel = new Kernel(name, function);
            kernels.put(name, kernel);
        }
        return kernel;
    }

    /** Device memory; an out-of-memory error names the buffer and what to lower. */
    public DeviceBuffer allocate(long bytes, String label) {
        DevicePointer pointer = new DevicePointer();
        int result = JCudaDriver.cuMemAlloc(pointer, Math.max(bytes, 1));
        if (CudaErrors.isOutOfMemory(result)) {
            long[] free = new long[1];
            long[] total = new long[1];
            JCudaDriver.cuMemGetInfo(free, total);
            throw new CudaOutOfMemoryException(String.format("out of GPU memory allocating %s: %.2f GiB needed,"
                            + " %.2f GiB free of %.2f GiB on %s (this model already holds %.2f GiB); lower --slots or"
                            + " --context-length, or use a GPU with more memory", label, bytes / 0x1p30, free[0] / 0x1p30,
                    total[0] / 0x1p30, device.describe(), allocatedBytes / 0x1p30), bytes);
        }
        CudaException.check(result, "cuMemAlloc of " + bytes + " bytes for " + label);
        allocatedBytes += bytes;
        return new DeviceBuffer(pointer, bytes, label);
    }

    public long allocatedBytes() {
        return allocatedBytes;
    }

    /** Free and total device memory in bytes. */
    public long[] memoryInfo() {
        long[] free = new long[1];
        long[] total = new long[1];
        CudaException.check(JCudaDriver.cuMemGetInfo(free, total), "cuMemGetInfo");
        return new long[] {free[0], total[0]};
    }

    /** Waits for the stream; {@code what} names the work in any error (an asynchronous kernel fault surfaces here). */
    public void synchronize(String what) {
        synchronize(stream, what);
    }

    void synchronize(CUstream which, String what) {
        CudaException.check(JCudaDriver.cuStreamSynchronize(which), what);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        JCudaDriver.cuCtxSetCurrent(context);
        JCudaDriver.cuModuleUnload(module);
        extraStreams.forEach(JCudaDriver::cuStreamDestroy);
        JCudaDriver.cuStreamDestroy(stream);
        JCudaDriver.cuCtxDestroy(context);
    }
}
