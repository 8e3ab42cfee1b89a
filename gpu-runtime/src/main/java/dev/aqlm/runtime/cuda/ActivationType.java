package dev.aqlm.runtime.cuda;

import dev.aqlm.runtime.checkpoint.DType;
import dev.aqlm.runtime.checkpoint.Half;

/**
 * The 16-bit type activations, dense weights, codebooks and the KV cache take on the device. A checkpoint's fp16 or
 * bf16 is kept. An fp32 checkpoint runs as fp16: AQLM codebooks are published in fp16 (convert_to_hf casts every float
 * to half), and fp16 keeps three more mantissa bits than bf16, which is what the 1e-2 agreement with the reference
 * needs; Llama-family activations stay well inside fp16's range because the residual stream is kept in fp32.
 */
enum ActivationType {
    F16("f16"),
    BF16("bf16");

    private final String kernelSuffix;

    ActivationType(String kernelSuffix) {
        this.kernelSuffix = kernelSuffix;
    }

    /** Kernel names end in this ("linear_f16_...", "rms_norm_bf16"). */
    public String kernelSuffix() {
        return kernelSuffix;
    }

    public static ActivationType forCheckpoint(DType dtype) {
        return switch (dtype) {
            case BF16 -> BF16;
            case F16, F32 -> F16;
            default -> throw new IllegalArgumentException(dtype + " is not a floating-point checkpoint dtype");
        };
    }

    public short encode(float value) {
        return this == F16 ? Half.floatToHalf(value) : Half.floatToBfloat16(value);
    }

    public float decode(short bits) {
        return this == F16 ? Half.halfToFloat(bits) : Half.bfloat16ToFloat(bits);
    }
}
