package dev.aqlm.runtime.cuda;

import dev.aqlm.runtime.engine.KvCacheFormat;
import dev.aqlm.runtime.engine.KvCacheShape;
import dev.aqlm.runtime.model.ModelConfig;

/**
 * The sizes of one device's KV cache: {@code slots} usable slots plus the scratch slot, {@code context} positions
 * each, {@code kvDim} channels (a tensor-parallel shard's own heads), in {@code format}. A quantized cache keeps its
 * newest positions in a ring of {@code ring} positions per slot: the residual window plus the block waiting to fill
 * (as on the CPU) plus the rows one pass writes for one sequence (at least a verification chunk's, as on the CPU), because the QKV epilogue writes every row of a pass
 * into the ring before that pass's attention reads the older ones (the CPU reads a pass's own rows from the pass
 * instead). Those rows are capped at {@link #QUANTIZED_ROWS_PER_SEQUENCE}: a longer prompt piece goes to consecutive
 * passes ({@link ForwardPlan}), so the ring stays a small part of a long slot instead of growing with
 * {@code --max-prefill-tokens}.
 */
record DeviceKvLayout(KvCacheFormat format, int slots, int context, int kvDim, int headDim, int ring) {
    /** Bytes of a 16-bit activation (fp16 or bf16): what the ring and a full-precision cache store. */
    static final int ACTIVATION_BYTES = 2;

    static DeviceKvLayout of(KvCacheFormat format, ModelConfig config, int slots, int context, int passRows) {
        return new DeviceKvLayout(format, slots, context, config.kvDim(), config.headDim(),
                ringPositions(format, context, passRows));
    }

    /**
     * Rows of one sequence a pass writes into a quantized cache at most: two prefill tiles, so a long prompt still
     * fills whole tiles, while the ring (window + group + these rows, 320 positions with the defaults) stays under a
     * tenth of a 4096-position slot. Passes still fill up with other sequences' pieces.
     */
    static final int QUANTIZED_ROWS_PER_SEQUENCE = 2 * ForwardPlan.PREFILL_TILE;

    /** Positions per slot held in the activation type. */
    static int ringPositions(KvCacheFormat format, int context, int passRows) {
        return format.quantized() ? (int) Math.min(context, (long) format.windowAndBlock()
                + rowsPerSequence(passRows)) : context;
    }

    /** Rows of one sequence in a pass, at least a verification chunk's (passes always hold that many rows). */
    private static int rowsPerSequence(int passRows) {
        return Math.max(KvCacheFormat.VERIFICATION_ROWS, Math.min(passRows, QUANTIZED_ROWS_PER_SEQUENCE));
    }

    /** The most rows of one sequence a pass may hold: all of them unless the ring is shorter than a slot. */
    int passRowsPerSequence(int passRows) {
        return ring < context ? Math.min(passRows, ring - format.windowAndBlock()) : passRows;
    }

    /** The first position a query at {@code position} reads from the ring (attention.cu's quantized_end). */
    int quantizedEnd(int position) {
        if (!format.quantized()) {
            return 0;
        }
        int older = Math.max(0, position - format.residualLength()) / format.groupSize();
        return Math.min(older, blocks()) * format.groupSize();
    }

    /** Slots allocated: the usable ones and the scratch slot padded decode rows write into. */
    long allocatedSlots() {
        return slots + 1L;
    }

    int blocks() {
        return format.quantized() ? context / format.groupSize() : 0;
    }

    int valueGroup() {
        return Math.min(format.groupSize(), headDim);
    }

    long ringBytes() {
        return allocatedSlots() * ring * kvDim * ACTIVATION_BYTES;
    }

    long keyCodeBytes() {
        return allocatedSlots() * blocks() * kvDim * format.groupSize() * format.bits() / 8;
    }

    long keyParamBytes() {
        return allocatedSlots() * blocks() * kvDim * KvCacheFormat.GROUP_PARAMETER_BYTES;
    }

    long valueCodeBytes() {
        return format.quantized() ? allocatedSlots() * context * kvDim * format.bits() / 8 : 0;
    }

    long valueParamBytes() {
        return format.quantized()
                ? allocatedSlots() * context * (kvDim / valueGroup()) * KvCacheFormat.GROUP_PARAMETER_BYTES : 0;
    }

    /** One layer: keys and values in the ring (the whole cache when not quantized), codes and group parameters. */
    long layerBytes() {
        return 2 * ringBytes() + keyCodeBytes() + keyParamBytes() + valueCodeBytes() + valueParamBytes();
    }

    long bytes(int layers) {
        return layers * layerBytes();
    }

    /** The whole model's bytes per slot, as {@link KvCacheFormat#bytesPerSlot} counts them for this ring. */
    long bytesPerSlot(int layers) {
        return format.bytesPerSlot(new KvCacheShape(layers, kvDim / headDim, headDim), context, ACTIVATION_BYTES,
                ring);
    }
}
