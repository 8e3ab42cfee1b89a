package dev.aqlm.runtime.engine;

import dev.aqlm.runtime.model.ModelConfig;
import java.io.Serializable;

/**
 * How the KV cache stores keys and values: 16 bits = the activation type (today's cache, fp32 on the CPU), or 8/4/2-bit
 * codes in groups, each group with its own scale and zero point, as Hugging Face's quantized cache and KIVI do.
 *
 * <p>Grouping axes follow KIVI (Liu et al. 2024, "KIVI: A Tuning-Free Asymmetric 2bit Quantization for KV Cache"):
 * <b>keys per channel</b> (a group is one channel over {@code groupSize} consecutive tokens), because key activations
 * have a few outlier channels whose magnitude is stable across tokens: per-token groups would let one outlier channel
 * set the scale of every other channel, per-channel groups confine it. <b>Values per token</b> (a group is
 * {@code groupSize} consecutive channels of one token, at most one head wide), because values show no fixed outlier
 * channels and each output mixes values of many tokens by the attention weights, so the error of a value should stay
 * local to its token. KIVI measures both choices (its Table 2 and Fig. 2): the reverse pairing falls apart at 2 bits.
 *
 * <p>Quantization is asymmetric (zero point = the group's minimum, scale = (max - min) / (2^bits - 1)), both rounded to
 * fp16 before the codes are computed, so every backend stores and reads back the same values; codes are
 * {@code floor((x - zero) * (1 / scale) + 0.5)} clamped to [0, 2^bits - 1] (see {@code cpu.GroupQuantizer}). The most
 * recent {@code residualLength} tokens of a sequence stay in the activation type (keys need {@code groupSize} tokens to
 * form a group, and the newest tokens are the ones attention weighs most); a block of {@code groupSize} tokens is
 * quantized once every token in it is older than that window. Defaults are Hugging Face's
 * {@code QuantizedCacheConfig}: group 64, residual 128 (and its 4 bits when a low-bit cache is asked for).
 *
 * @param bits           16 (no quantization), 8, 4 or 2
 * @param groupSize      tokens per key group and channels per value group (capped at the head dimension)
 * @param residualLength most recent tokens kept in the activation type
 */
public record KvCacheFormat(int bits, int groupSize, int residualLength) implements Serializable {
    public static final int DEFAULT_GROUP_SIZE = 64;
    public static final int DEFAULT_RESIDUAL_LENGTH = 128;
    public static final KvCacheFormat FULL_PRECISION =
            new KvCacheFormat(16, DEFAULT_GROUP_SIZE, DEFAULT_RESIDUAL_LENGTH);
    /** Bytes of one group's scale plus zero point (two fp16 values). */
    public static final int GROUP_PARAMETER_BYTES = 4;
    private static final int MAX_GROUP_SIZE = 1024;

    public KvCacheFormat {
        if (bits != 16 && bits != 8 && bits != 4 && bits != 2) {
            throw new InvalidRequestException("--kv-cache-bits must be 16, 8, 4 or 2, got " + bits);
        }
        // A key group is groupSize tokens of one channel packed into whole bytes: 2-bit codes need a multiple of 4.
        if (groupSize < 8 || groupSize > MAX_GROUP_SIZE || groupSize % 8 != 0) {
            throw new InvalidRequestException("--kv-group-size must be a multiple of 8 from 8 to " + MAX_GROUP_SIZE
                    + ", got " + groupSize);
        }
        if (residualLength < 0) {
            throw new InvalidRequestException("--kv-residual-length must be 0 or more, got " + residualLength);
        }
    }

    public static KvCacheFormat bits(int bits) {
        return new KvCacheFormat(bits, DEFAULT_GROUP_SIZE, DEFAULT_RESIDUAL_LENGTH);
    }

    public boolean quantized() {
        return bits < 16;
    }

    /** Largest code, 2^bits - 1. */
    public int levels() {
        return (1 << bits) - 1;
    }

    /** Channels per value group: the group size, but never wider than a head (a group belongs to one head). */
    public int valueGroupSize(KvCacheShape shape) {
        return Math.min(groupSize, shape.headDim());
    }

    /** Refuses a model whose head dimension a value group cannot tile, naming the option to change. */
    public void requireFits(ModelConfig config) {
        if (quantized() && config.headDim() % valueGroupSize(KvCacheShape.of(config)) != 0) {
            throw new InvalidRequestException("--kv-group-size " + groupSize + " does not divide the head dimension "
                    + config.headDim() + "; use a divisor of it (e.g. 32 or 64)");
        }
    }

    /**
     * Cache bytes each token adds once it has left the residual window, over all layers, keys and values:
     * codes plus per-group scale and zero point; {@code activationBytes} per value when not quantized.
     */
    public double bytesPerToken(KvCacheShape shape, int activationBytes) {
        long kvDim = shape.kvDim();
        if (!quantized()) {
            return 2.0 * shape.layers() * kvDim * activationBytes;
        }
        double keys = kvDim * (bits / 8.0 + (double) GROUP_PARAMETER_BYTES / groupSize);
        double values = kvDim * (bits / 8.0) + (double) kvDim / valueGroupSize(shape) * GROUP_PARAMETER_BYTES;
        return shape.layers() * (keys + values);
    }

    /** Rows a verification chunk writes at most: the last token and the longest draft. */
    public static final int VERIFICATION_ROWS = Speculation.MAX_DRAFT_TOKENS + 1;

    /**
     * Positions per slot held in the activation type: the window, the block waiting to fill, and the rows of a
     * verification chunk. A rejected draft's rows took ring places of positions that the next query still reads in
     * full precision were it not for this room; with it, rolling a draft back loses nothing, and speculation stays
     * token for token plain decoding over a quantized cache too.
     */
    public int residualCapacity() {
        return windowAndBlock() + VERIFICATION_ROWS;
    }

    /** The residual window plus the block waiting to fill: what every query may read from the ring. */
    public int windowAndBlock() {
        return residualLength + groupSize;
    }

    /** What one slot of {@code context} positions takes, as the CPU backend allocates it (and a GPU would). */
    public long bytesPerSlot(KvCacheShape shape, int context, int activationBytes) {
        return bytesPerSlot(shape, context, activationBytes, residualCapacity());
    }

    /**
     * As {@link #bytesPerSlot(KvCacheShape, int, int)} for a backend whose residual ring holds
     * {@code residualPositions} positions per slot (the CUDA ring also holds one pass's rows).
     */
    public long bytesPerSlot(KvCacheShape shape, int context, int activationBytes, int residualPositions) {
        if (!quantized()) {
            return (long) Math.ceil(bytesPerToken(shape, activationBytes) * context);
        }
        long kvDim = shape.kvDim();
        long layers = shape.layers();
        long keyBlocks = context / groupSize;
        long keyBytes = keyBlocks * kvDim * ((long) groupSize * bits / 8 + GROUP_PARAMETER_BYTES);
        long valueBytes = (long) context * (kvDim * bits / 8 + kvDim / valueGroupSize(shape) * GROUP_PARAMETER_BYTES);
        long residualBytes = 2L * Math.min(context, residualPositions) * kvDim * activationBytes;
        return layers * (keyBytes + valueBytes + residualBytes);
    }

    /** Slots of {@code context} positions that fit in {@code freeBytes}. */
    public long slotsThatFit(KvCacheShape shape, int context, int activationBytes, long freeBytes) {
        return Math.max(0, freeBytes / bytesPerSlot(shape, context, activationBytes));
    }

    /** As lm-eval writes model arguments: "kv_cache_bits=4,kv_group_size=64,kv_residual_length=128" ("=16" alone). */
    public String modelArgs() {
        return quantized() ? "kv_cache_bits=" + bits + ",kv_group_size=" + groupSize + ",kv_residual_length="
                + residualLength : "kv_cache_bits=16";
    }

    /** For logs, results files and fingerprints: "16-bit" or "4-bit (group 64, residual 128)". */
    public String describe() {
        return quantized() ? bits + "-bit (group " + groupSize + ", residual " + residualLength + ")" : "16-bit";
    }
}
