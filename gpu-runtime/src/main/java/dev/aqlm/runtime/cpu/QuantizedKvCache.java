package dev.aqlm.runtime.cpu;

import dev.aqlm.runtime.errors.AqlmException;
import dev.aqlm.runtime.checkpoint.Half;
import dev.aqlm.runtime.engine.KvCacheFormat;

/**
 * The 8/4/2-bit CPU cache (see {@link KvCacheFormat} for the scheme and why). Per slot, positions [0, quantized) are
 * packed codes: keys as blocks of {@code G} tokens per channel ([slot][block][channel][token]), values per token as
 * groups of channels ([slot][position][channel]); each group has an fp16 scale and zero point. The newer positions
 * sit in fp32 in a ring of {@code residual + G} positions per slot plus room for a verification chunk. A query at
 * position p reads the whole blocks older than its residual window ({@link #fullPrecisionFrom}) from the codes and the
 * rest in fp32, whether p came in a long prefill chunk or one decode step at a time; attention dequantizes inside its
 * loops and never builds an fp32 copy of the cache.
 */
final class QuantizedKvCache implements KvCache {
    private final int slots;
    private final int context;
    private final int kvDim;
    private final int headDim;
    private final int groupSize;
    private final int valueGroupSize;
    private final int residualLength;
    private final int ring;
    private final int blocks;
    private final GroupQuantizer quantizer;
    private final byte[][] keyCodes;
    private final short[][] keyScales;
    private final short[][] keyZeros;
    private final byte[][] valueCodes;
    private final short[][] valueScales;
    private final short[][] valueZeros;
    private final float[][] residualKeys;
    private final float[][] residualValues;
    /** Per slot: positions already quantized (a multiple of G). */
    private final int[] quantized;
    /**
     * Per slot: the ring holds the original values of positions [heldFrom, the slot's length) (a long chunk packs its
     * older rows straight from the pass, and later positions take the places of older ones).
     */
    private final int[] heldFrom;

    QuantizedKvCache(int layers, int slots, int context, int kvDim, int headDim, KvCacheFormat format) {
        this.slots = slots;
        this.context = context;
        this.kvDim = kvDim;
        this.headDim = headDim;
        this.groupSize = format.groupSize();
        this.valueGroupSize = Math.min(groupSize, headDim);
        this.residualLength = format.residualLength();
        this.ring = format.residualCapacity();
        this.blocks = context / groupSize;
        this.quantizer = new GroupQuantizer(format.bits());
        long codes = (long) slots * context * kvDim;
        long keyCodeCount = (long) slots * blocks * groupSize * kvDim;
        long valueGroups = (long) slots * context * (kvDim / valueGroupSize);
        long keyGroups = (long) slots * blocks * kvDim;
        long residual = (long) slots * ring * kvDim;
        long bytes = layers * ((codes + keyCodeCount) * format.bits() / 8 + (valueGroups + keyGroups) * 4
                + 2 * residual * Float.BYTES);
        if (codes > Integer.MAX_VALUE - 8 || residual > Integer.MAX_VALUE - 8
                || bytes > Runtime.getRuntime().maxMemory()) {
            throw new AqlmException(String.format("the %s CPU KV cache for %d slots x %d positions needs %.1f GiB"
                    + " (the JVM may use %.1f GiB); lower --slots or --context-length", format.describe(), slots,
                    context, bytes / 0x1p30, Runtime.getRuntime().maxMemory() / 0x1p30));
        }
        this.keyCodes = new byte[layers][(int) (keyCodeCount * format.bits() / 8)];
        this.keyScales = new short[layers][(int) keyGroups];
        this.keyZeros = new short[layers][(int) keyGroups];
        this.valueCodes = new byte[layers][(int) (codes * format.bits() / 8)];
        this.valueScales = new short[layers][(int) valueGroups];
        this.valueZeros = new short[layers][(int) valueGroups];
        this.residualKeys = new float[layers][(int) residual];
        this.residualValues = new float[layers][(int) residual];
        this.quantized = new int[slots];
        this.heldFrom = new int[slots];
    }

    @Override
    public int slots() {
        return slots;
    }

    @Override
    public int context() {
        return context;
    }

    @Override
    public void rewind(int slot, int start) {
        int kept = fullPrecisionFrom(start);
        if (kept < quantized[slot]) {
            // Queries from `start` on read [kept, start) in full precision, but those positions were packed for
            // longer sequences that are now discarded. Those the ring no longer holds (below heldFrom) return to it
            // as the values attention read from the codes; the others are still there as they were. After a
            // rejected draft that is all of them (the ring keeps room for a verification chunk), so speculation
            // loses nothing.
            int lost = Math.min(Math.min(start, quantized[slot]), heldFrom[slot]);
            for (int layer = 0; layer < keyCodes.length; layer++) {
                for (int p = kept; p < lost; p++) {
                    restore(layer, slot, p);
                }
            }
            quantized[slot] = kept;
            heldFrom[slot] = Math.min(heldFrom[slot], kept);
        }
    }

    /** Whole blocks that are older than the residual window of a query at {@code position}. */
    @Override
    public int fullPrecisionFrom(int position) {
        return Math.min(Math.max(0, position - residualLength) / groupSize, blocks) * groupSize;
    }

    private void restore(int layer, int slot, int position) {
        int at = residualOffset(slot, position);
        long block = (long) slot * blocks + position / groupSize;
        for (int c = 0; c < kvDim; c++) {
            int group = (int) (block * kvDim + c);
            residualKeys[layer][at + c] = quantizer.dequantize(keyCodes[layer],
                    (long) group * groupSize + position % groupSize, keyScales[layer][group], keyZeros[layer][group]);
            int valueGroup = valueGroup(slot, position, c);
            residualValues[layer][at + c] = quantizer.dequantize(valueCodes[layer], valueCode(slot, position, c),
                    valueScales[layer][valueGroup], valueZeros[layer][valueGroup]);
        }
    }

    @Override
    public void keyScores(int layer, int slot, int kvHead, float[] q, int qAt, float scale, int first, int end,
                          int fullPrecisionFrom, float[] scores) {
        int quantizedEnd = Math.min(end, fullPrecisionFrom);
        float[] codes = new float[groupSize];
        for (int block = first / groupSize; block * groupSize < quantizedEnd; block++) {
            int base = block * groupSize;
            int from = Math.max(first, base) - base;
            int to = Math.min(quantizedEnd, base + groupSize) - base;
            for (int t = from; t < to; t++) {
                scores[base + t - first] = 0f;
            }
            // q · (code · s + z) summed over the head's channels = Σ (q s) code + Σ q z: one multiply-add per code.
            float bias = 0f;
            int firstGroup = (int) (((long) slot * blocks + block) * kvDim + kvHead * headDim);
            for (int c = 0; c < headDim; c++) {
                int group = firstGroup + c;
                float qc = q[qAt + c];
                float qs = qc * Half.halfToFloat(keyScales[layer][group]);
                bias += qc * Half.halfToFloat(keyZeros[layer][group]);
                quantizer.unpack(keyCodes[layer], (long) group * groupSize + from, to - from, codes);
                for (int t = from; t < to; t++) {
                    scores[base + t - first] += qs * codes[t - from];
                }
            }
            for (int t = from; t < to; t++) {
                scores[base + t - first] = (scores[base + t - first] + bias) * scale;
            }
        }
        float[] keys = residualKeys[layer];
        for (int p = Math.max(first, quantizedEnd); p < end; p++) {
            scores[p - first] = VectorMath.dot(q, qAt, keys, residualOffset(slot, p) + kvHead * headDim, headDim)
                    * scale;
        }
    }

    @Override
    public void addWeightedValues(int layer, int slot, int kvHead, float[] weights, int first, int end,
                                  int fullPrecisionFrom, float[] out, int outAt) {
        int quantizedEnd = Math.min(end, fullPrecisionFrom);
        byte[] codes = valueCodes[layer];
        for (int p = first; p < quantizedEnd; p++) {
            float weight = weights[p - first];
            for (int d0 = 0; d0 < headDim; d0 += valueGroupSize) {
                int channel = kvHead * headDim + d0;
                int group = valueGroup(slot, p, channel);
                float weightedScale = weight * Half.halfToFloat(valueScales[layer][group]);
                float weightedZero = weight * Half.halfToFloat(valueZeros[layer][group]);
                long code = valueCode(slot, p, channel);
                for (int d = 0; d < valueGroupSize; d++) {
                    out[outAt + d0 + d] += weightedScale * quantizer.code(codes, code + d) + weightedZero;
                }
            }
        }
        float[] values = residualValues[layer];
        for (int p = Math.max(first, quantizedEnd); p < end; p++) {
            int at = residualOffset(slot, p) + kvHead * headDim;
            float weight = weights[p - first];
            for (int d = 0; d < headDim; d++) {
                out[outAt + d] += weight * values[at + d];
            }
        }
    }

    @Override
    public void pack(int layer, int slot, int start, int count, float[] keyRows, float[] valueRows, int rowAt) {
        int to = fullPrecisionFrom(start + count);
        float[] block = new float[groupSize * kvDim];
        for (int base = quantized[slot]; base < to; base += groupSize) {
            for (int t = 0; t < groupSize; t++) {
                copyRow(layer, slot, base + t, start, keyRows, residualKeys, rowAt, block, t * kvDim);
            }
            long firstGroup = ((long) slot * blocks + base / groupSize) * kvDim;
            for (int c = 0; c < kvDim; c++) {
                int group = (int) (firstGroup + c);
                quantizer.quantize(block, c, kvDim, groupSize, keyCodes[layer], (long) group * groupSize,
                        keyScales[layer], keyZeros[layer], group);
            }
            for (int t = 0; t < groupSize; t++) {
                copyRow(layer, slot, base + t, start, valueRows, residualValues, rowAt, block, t * kvDim);
                for (int c = 0; c < kvDim; c += valueGroupSize) {
                    quantizer.quantize(block, t * kvDim + c, 1, valueGroupSize, valueCodes[layer],
                            valueCode(slot, base + t, c), valueScales[layer], valueZeros[layer],
                            valueGroup(slot, base + t, c));
                }
            }
        }
    }

    @Override
    public void append(int layer, int slot, int start, int count, float[] keyRows, float[] valueRows, int rowAt) {
        // After the reads: a new entry may take the ring place of one that this pass's queries still read.
        int end = start + count;
        for (int p = Math.max(start, fullPrecisionFrom(end)); p < end; p++) {
            int row = rowAt + (p - start) * kvDim;
            System.arraycopy(keyRows, row, residualKeys[layer], residualOffset(slot, p), kvDim);
            System.arraycopy(valueRows, row, residualValues[layer], residualOffset(slot, p), kvDim);
        }
    }

    @Override
    public void commit(int slot, int start, int end) {
        quantized[slot] = Math.max(quantized[slot], fullPrecisionFrom(end));
        // append wrote [max(start, fullPrecisionFrom(end)), end) over the places of the positions a ring earlier.
        int appendedFrom = Math.max(start, fullPrecisionFrom(end));
        heldFrom[slot] = appendedFrom > start ? appendedFrom : Math.max(heldFrom[slot], end - ring);
    }

    /** Copies position p's row (from this pass's rows, or the ring when written by an earlier pass) into dest. */
    private void copyRow(int layer, int slot, int p, int start, float[] rows, float[][] residual, int rowAt,
                         float[] dest, int destAt) {
        if (p >= start) {
            System.arraycopy(rows, rowAt + (p - start) * kvDim, dest, destAt, kvDim);
        } else {
            System.arraycopy(residual[layer], residualOffset(slot, p), dest, destAt, kvDim);
        }
    }

    private int residualOffset(int slot, int position) {
        return (slot * ring + position % ring) * kvDim;
    }

    private long valueCode(int slot, int position, int channel) {
        return ((long) slot * context + position) * kvDim + channel;
    }

    private int valueGroup(int slot, int position, int channel) {
        return (int) (((long) slot * context + position) * (kvDim / valueGroupSize) + channel / valueGroupSize);
    }
}
