package dev.aqlm.runtime.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The host mirror of attention.cu's {@code struct KvCacheView}: one layer's KV cache as the attention kernels and
 * {@code kv_quantize} read it, 14 little-endian 64-bit fields in the struct's order (KernelSourceContractTest-style
 * checks keep the two alike). A full-precision cache sets only the key and value buffers, with {@code ring} equal to
 * the context; a quantized one adds the packed codes and their (scale, zero) pairs, and its key/value buffers are the
 * residual ring.
 */
record KvCacheView(DeviceAddress keys, DeviceAddress values, DeviceAddress keyCodes, DeviceAddress keyParams,
                   DeviceAddress valueCodes, DeviceAddress valueParams, DeviceKvLayout layout) {
    static final int BYTES = 14 * Long.BYTES;

    /** Which attention kernels read this cache: the full-precision ones or those for its code width. */
    enum Codes {
        FULL_PRECISION(16, ""), BITS_8(8, "_kv8"), BITS_4(4, "_kv4"), BITS_2(2, "_kv2");

        final int bits;
        final String kernelSuffix;

        Codes(int bits, String kernelSuffix) {
            this.bits = bits;
            this.kernelSuffix = kernelSuffix;
        }

        static Codes of(int bits) {
            for (Codes codes : values()) {
                if (codes.bits == bits) {
                    return codes;
                }
            }
            throw new IllegalArgumentException("no attention kernels for a " + bits + "-bit KV cache");
        }
    }

    Codes codes() {
        return Codes.of(layout.format().bits());
    }

    boolean quantized() {
        return layout.format().quantized();
    }

    byte[] toBytes() {
        ByteBuffer buffer = ByteBuffer.allocate(BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (DeviceAddress address : new DeviceAddress[] {keys, values, keyCodes, keyParams, valueCodes, valueParams}) {
            buffer.putLong(address.value());
        }
        buffer.putLong(layout.context()).putLong(layout.kvDim()).putLong(layout.ring())
                .putLong(layout.format().groupSize()).putLong(layout.valueGroup()).putLong(layout.format().residualLength())
                .putLong(layout.blocks()).putLong(layout.format().bits());
        return buffer.array();
    }
}
