package dev.aqlm.runtime.model;

import dev.aqlm.runtime.checkpoint.DType;
import java.util.List;

/**
 * What the decoder needs to know about a model, read from config.json by {@link ModelConfigReader}.
 *
 * @param slidingWindow keys a query may attend to, itself included; 0 when attention is fully causal
 * @param expertCount   experts per MoE layer; 0 for a dense feed-forward
 * @param quantization  the AQLM scheme of the quantized linears, or null for a dense checkpoint
 */
public record ModelConfig(
        Architecture architecture,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int layerCount,
        int headCount,
        int kvHeadCount,
        int headDim,
        double rmsNormEps,
        RopeConfig rope,
        int maxPositionEmbeddings,
        int slidingWindow,
        boolean tieWordEmbeddings,
        DType dtype,
        int bosTokenId,
        List<Integer> eosTokenIds,
        int expertCount,
        int expertsPerToken,
        AqlmConfig quantization) {

    public int queryDim() {
        return headCount * headDim;
    }

    public int kvDim() {
        return kvHeadCount * headDim;
    }

    /** Query heads sharing one key/value head (grouped-query attention). */
    public int queriesPerKvHead() {
        return headCount / kvHeadCount;
    }

    public boolean isQuantized() {
        return quantization != null;
    }

    public boolean isMixtureOfExperts() {
        return expertCount > 0;
    }

    /** A one-line description for logs and bench tables, e.g. "llama 32x4096 AQLM 2x8". */
    public String describe() {
        return architecture.name().toLowerCase() + " " + layerCount + "x" + hiddenSize
                + (isMixtureOfExperts() ? " " + expertCount + " experts top-" + expertsPerToken : "")
                + " " + weightFormat();
    }

    /** The format of the linear weights, e.g. "AQLM 2x8" or "dense f16". */
    public String weightFormat() {
        return weightFormat(quantization, dtype);
    }

    /** The format of linear weights quantized with {@code quantization} ({@code null}: dense in {@code dtype}). */
    public static String weightFormat(AqlmConfig quantization, DType dtype) {
        return quantization != null ? "AQLM " + quantization.shortName() : "dense " + dtype.name().toLowerCase();
    }
}
