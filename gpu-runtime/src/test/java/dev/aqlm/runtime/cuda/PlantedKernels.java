package dev.aqlm.runtime.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/**
 * One emulated device's context with the emulator's test module loaded: small kernels with planted bugs
 * (kernels/emulator/planted/planted.cu), built plain or with the memory-access hooks of memcheck and racecheck.
 * Launches go to a non-blocking stream, as the backend's do.
 */
final class PlantedKernels implements AutoCloseable {
    private final CUcontext context = new CUcontext();
    private final CUmodule module = new CUmodule();
    private final CUstream stream = new CUstream();

    /** Skips unless the CUDA backend runs on the emulator (a GPU has no planted-bug module). */
    static PlantedKernels open(int device, boolean checked) {
        assumeTrue(GpuTests.requireDevice().isEmulated(), "the planted-bug kernels run only on the CUDA emulator");
        return new PlantedKernels(device, checked);
    }

    private PlantedKernels(int ordinal, boolean checked) {
        CUdevice device = new CUdevice();
        CudaException.check(JCudaDriver.cuDeviceGet(device, ordinal), "cuDeviceGet");
        CudaException.check(JCudaDriver.cuCtxCreate(context, 0, device), "cuCtxCreate");
        CudaException.check(JCudaDriver.cuStreamCreate(stream, 1), "cuStreamCreate");
        Path library = Path.of(System.getProperty("aqlm.emulator.planted", "kernels/target/emulator-planted"))
                .resolve(checked ? "libcuemu_planted_checked.so" : "libcuemu_planted.so").toAbsolutePath();
        assumeTrue(Files.exists(library), () -> "no planted-bug module at " + library);
        byte[] image = ("cuemu-host-module:" + library + "\0").getBytes(StandardCharsets.UTF_8);
        CudaException.check(JCudaDriver.cuModuleLoadData(module, image), "loading " + library);
    }

    void makeCurrent() {
        CudaException.check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
    }

    /** Device memory holding these floats. */
    long upload(float... values) {
        makeCurrent();
        long address = allocate(4L * values.length);
        CudaException.check(JCudaDriver.cuMemcpyHtoD(at(address), Pointer.to(values), 4L * values.length),
                "cuMemcpyHtoD");
        return address;
    }

    /** Device memory holding one device address (a table the kernel reads the pointer from). */
    long uploadAddress(long address) {
        long table = allocate(8);
        CudaException.check(JCudaDriver.cuMemcpyHtoD(at(table), Pointer.to(new long[] {address}), 8), "cuMemcpyHtoD");
        return table;
    }

    /** Lets this context's kernels touch {@code peer}'s memory. */
    void enablePeerAccess(PlantedKernels peer) {
        makeCurrent();
        CudaException.check(JCudaDriver.cuCtxEnablePeerAccess(peer.context, 0), "cuCtxEnablePeerAccess");
    }

    long allocate(long bytes) {
        makeCurrent();
        DevicePointer pointer = new DevicePointer();
        CudaException.check(JCudaDriver.cuMemAlloc(pointer, bytes), "cuMemAlloc");
        return pointer.address();
    }

    /** A synchronous download: it does not wait for the stream (synchronize first when that is what you mean). */
    float[] download(long address, int count) {
        makeCurrent();
        float[] values = new float[count];
        CudaException.check(JCudaDriver.cuMemcpyDtoH(Pointer.to(values), at(address), 4L * count), "cuMemcpyDtoH");
        return values;
    }

    /** Launches on the stream; returns cuLaunchKernel's result (launch-time checks). */
    int launch(String kernel, int blocks, int threads, int sharedBytes, Object... args) {
        makeCurrent();
        CUfunction function = new CUfunction();
        CudaException.check(JCudaDriver.cuModuleGetFunction(function, module, kernel), "cuModuleGetFunction " + kernel);
        List<NativePointerObject> params = new ArrayList<>();
        for (Object arg : args) {
            if (arg instanceof Long address) {
                params.add(Pointer.to(new long[] {address}));
            } else if (arg instanceof Integer value) {
                params.add(Pointer.to(new int[] {value}));
            } else {
                throw new IllegalArgumentException("argument " + arg);
            }
        }
        return JCudaDriver.cuLaunchKernel(function, blocks, 1, 1, threads, 1, 1, sharedBytes, stream,
                Pointer.to(params.toArray(new NativePointerObject[0])), null);
    }

    int allowDynamicShared(String kernel, int bytes) {
        CUfunction function = new CUfunction();
        CudaException.check(JCudaDriver.cuModuleGetFunction(function, module, kernel), "cuModuleGetFunction " + kernel);
        return JCudaDriver.cuFuncSetAttribute(function,
                CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes);
    }

    /** Launches and waits: the kernel's result (a fault surfaces at the synchronisation, as on a GPU). */
    int run(String kernel, int blocks, int threads, Object... args) {
        int launched = launch(kernel, blocks, threads, 0, args);
        return launched != 0 ? launched : synchronize();
    }

    /** Runs a kernel that must fault with {@code code}; returns what the emulator reported. */
    String expectFault(int code, String kernel, int blocks, int threads, Object... args) {
        int result = run(kernel, blocks, threads, args);
        org.assertj.core.api.Assertions.assertThat(result).as(kernel).isEqualTo(code);
        return fault(result);
    }

    int synchronize() {
        makeCurrent();
        return JCudaDriver.cuStreamSynchronize(stream);
    }

    /** What the emulator reported for the context's sticky error (cuGetErrorString). */
    String fault(int result) {
        makeCurrent();
        String[] text = new String[1];
        JCudaDriver.cuGetErrorString(result, text);
        return text[0];
    }

    @Override
    public void close() {
        JCudaDriver.cuCtxSetCurrent(context);
        JCudaDriver.cuStreamDestroy(stream);
        JCudaDriver.cuCtxDestroy(context);
    }

    private static CUdeviceptr at(long address) {
        return new CUdeviceptr().withByteOffset(address);
    }
}
