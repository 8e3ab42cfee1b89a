package dev.aqlm.runtime.cuda;

import dev.aqlm.runtime.engine.KvCacheFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

/**
 * The host mirror of attention.cu's {@code struct KvCacheView}: one layer's KV cache as the attention kernels and
 * {@code kv_quantize} read it, 14 little-endian 64-bit fields in the struct's order ({@link #FIELDS};
 * KernelSourceContractTest checks it against the CUDA struct). A full-precision cache sets only the key and value buffers, with {@code ring} equal to
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

    /** The struct's fields in declaration order (KernelSourceContractTest reads them from attention.cu). */
    static final List<String> FIELDS = List.of("keys", "values", "key_codes", "key_params", "value_codes",
            "value_params", "context", "kv_dim", "ring", "group_size", "value_group", "residual", "blocks", "bits");

    byte[] toBytes() {
        KvCacheFormat format = layout.format();
        Map<String, Long> values = Map.ofEntries(Map.entry("keys", keys.value()), Map.entry("values", this.values.value()),
                Map.entry("key_codes", keyCodes.value()), Map.entry("key_params", keyParams.value()),
                Map.entry("value_codes", valueCodes.value()), Map.entry("value_params", valueParams.value()),
                Map.entry("context", (long) layout.context()), Map.entry("kv_dim", (long) layout.kvDim()),
                Map.entry("ring", (long) layout.ring()), Map.entry("group_size", (long) format.groupSize()),
                Map.entry("value_group", (long) layout.valueGroup()),
                Map.entry("residual", (long) format.residualLength()), Map.entry("blocks", (long) layout.blocks()),
                Map.entry("bits", (long) format.bits()));
        ByteBuffer buffer = ByteBuffer.allocate(BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (String field : FIELDS) {
            buffer.putLong(values.get(field));
        }
        return buffer.array();
    }
}
