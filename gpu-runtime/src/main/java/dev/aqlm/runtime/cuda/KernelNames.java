package dev.aqlm.runtime.cuda;

import java.util.ArrayList;
import java.util.List;

/** The extern "C" names of the fatbin's kernels, spelled in one place (a test checks each is in the fatbin). */
final class KernelNames {
    private KernelNames() {
    }

    public static String linear(ActivationType type, LinearShape shape, LinearTile tile) {
        return "linear_" + type.kernelSuffix() + "_" + shape.sourceName() + "_" + tile.suffix;
    }

    public static String rmsNorm(ActivationType type) {
        return "rms_norm_" + type.kernelSuffix();
    }

    public static String embed(ActivationType type) {
        return "embed_" + type.kernelSuffix();
    }

    public static String decodeAttention(ActivationType type, KvCacheView.Codes codes) {
        return "attention_decode_" + type.kernelSuffix() + codes.kernelSuffix;
    }

    public static String combineAttention(ActivationType type) {
        return "attention_combine_" + type.kernelSuffix();
    }

    public static String prefillAttention(ActivationType type, KvCacheView.Codes codes) {
        return "attention_prefill_" + type.kernelSuffix() + codes.kernelSuffix;
    }

    public static String kvQuantize(ActivationType type) {
        return "kv_quantize_" + type.kernelSuffix();
    }

    public static String kvRestore(ActivationType type) {
        return "kv_restore_" + type.kernelSuffix();
    }

    public static String moeCombine(ActivationType type) {
        return "moe_combine_" + type.kernelSuffix();
    }

    public static String fillRandom(ActivationType type) {
        return "fill_random_" + type.kernelSuffix();
    }

    public static final String MOE_ROUTE = "moe_route";
    public static final String SAMPLE_TOKENS = "sample_tokens";
    public static final String TARGET_LOG_PROBS = "target_log_probs";
    public static final String FILL_RANDOM_BYTES = "fill_random_bytes";
    public static final String FILL_F32 = "fill_f32";
    public static final String TENSOR_PARALLEL_EXCHANGE = "tensor_parallel_exchange";

    /** Every kernel name the runtime may launch. */
    public static List<String> all() {
        List<String> names = new ArrayList<>(List.of(MOE_ROUTE, SAMPLE_TOKENS, TARGET_LOG_PROBS, FILL_RANDOM_BYTES,
                FILL_F32, TENSOR_PARALLEL_EXCHANGE));
        for (ActivationType type : ActivationType.values()) {
            names.addAll(List.of(rmsNorm(type), embed(type), combineAttention(type), kvQuantize(type), kvRestore(type),
                    moeCombine(type), fillRandom(type)));
            for (KvCacheView.Codes codes : KvCacheView.Codes.values()) {
                names.addAll(List.of(decodeAttention(type, codes), prefillAttention(type, codes)));
            }
            for (LinearTile tile : LinearTile.values()) {
                names.add(linear(type, LinearShape.dense(8, 8), tile));
                for (int bytes : new int[] {1, 2, 4, 8}) {
                    names.add("linear_" + type.kernelSuffix() + "_w" + bytes + "_" + tile.suffix);
                }
            }
        }
        return names;
    }
}
