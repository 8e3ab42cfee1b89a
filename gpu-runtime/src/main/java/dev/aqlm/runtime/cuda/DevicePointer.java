package dev.aqlm.runtime.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * A CUdeviceptr whose raw address can be read: what a {@link DeviceBuffer} holds, and where the
 * {@link DeviceAddress}es that kernel arguments take come from.
 */
final class DevicePointer extends CUdeviceptr {
    long address() {
        return getNativePointer() + getByteOffset();
    }
}
