package dev.aqlm.runtime.cuda;

import java.util.ArrayList;
import java.util.List;
import jcuda.NativePointerObject;
import jcuda.Pointer;

/** The parameter list of one kernel launch, in the kernel's parameter order; built only in {@link Kernels}. */
final class KernelArgs {
    private final List<NativePointerObject> values = new ArrayList<>();

    /** A device pointer ({@link DeviceAddress#NULL} is a null pointer). */
    public KernelArgs pointer(DeviceAddress address) {
        values.add(Pointer.to(new long[] {address.value()}));
        return this;
    }

    public KernelArgs i32(int value) {
        values.add(Pointer.to(new int[] {value}));
        return this;
    }

    public KernelArgs i64(long value) {
        values.add(Pointer.to(new long[] {value}));
        return this;
    }

    public KernelArgs f32(float value) {
        values.add(Pointer.to(new float[] {value}));
        return this;
    }

    /** A struct passed by value, already laid out as the kernel declares it. */
    public KernelArgs struct(byte[] bytes) {
        values.add(Pointer.to(bytes));
        return this;
    }

    Pointer toPointer() {
        return Pointer.to(values.toArray(new NativePointerObject[0]));
    }
}
