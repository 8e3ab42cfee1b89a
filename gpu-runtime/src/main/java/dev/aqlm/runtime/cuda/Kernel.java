package dev.aqlm.runtime.cuda;

import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/** One kernel of the loaded fatbin. Launch errors name the kernel, its geometry and the caller's shape description. */
final class Kernel {
    private final String name;
    private final CUfunction function;
    private int dynamicSharedLimit = 48 * 1024;

    Kernel(String name, CUfunction function) {
        this.name = name;
        this.function = function;
    }

    public String name() {
        return name;
    }

    /** Raises this kernel's dynamic shared-memory limit (needed above 48 KiB). */
    synchronized void allowDynamicShared(int bytes) {
        if (bytes > dynamicSharedLimit) {
            CudaException.check(JCudaDriver.cuFuncSetAttribute(function,
                    CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes),
                    "raising " + name + "'s dynamic shared memory to " + bytes + " bytes");
            dynamicSharedLimit = bytes;
        }
    }

    public void launch(LaunchGeometry geometry, CUstream stream, KernelArgs args, String shapes) {
        if (geometry.isEmpty()) {
            return;
        }
        allowDynamicShared(geometry.sharedBytes());
        int result = JCudaDriver.cuLaunchKernel(function, geometry.gridX(), geometry.gridY(), geometry.gridZ(),
                geometry.blockX(), 1, 1, geometry.sharedBytes(), stream, args.toPointer(), null);
        if (result != 0) {
            throw new CudaException("launch of " + name + " " + geometry + " (" + shapes + ")", result);
        }
    }
}
