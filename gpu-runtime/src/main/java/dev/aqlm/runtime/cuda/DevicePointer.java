package dev.aqlm.runtime.cuda;

import jcuda.driver.CUdeviceptr;

/** A CUdeviceptr whose raw address can be read: kernel arguments are built from addresses (see {@link LinearArgs}). */
final class DevicePointer extends CUdeviceptr {
    long address() {
        return getNativePointer() + getByteOffset();
    }
}
