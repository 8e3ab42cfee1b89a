package dev.aqlm.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.checkpoint.Half;
import dev.aqlm.runtime.engine.KvCacheFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The packed cache reads back what its rounding rule says: each value within half a quantization step of what was
 * stored, keys grouped per channel over tokens and values per token over channels, the newest tokens untouched, slots
 * independent, and a rewind into a quantized block keeps what attention read before.
 */
class QuantizedKvCacheTest {
    private static final int KV_HEADS = 2;
    private static final int HEAD_DIM = 8;
    private static final int KV_DIM = KV_HEADS * HEAD_DIM;
    private static final int GROUP = 8;
    private static final int RESIDUAL = 8;
    private static final int CONTEXT = 64;
    /** fp32 sums of 8 to 64 terms of magnitude ~1 in a different order than the reference: a few ulps. */
    private static final float SUM_TOLERANCE = 1e-4f;

    private final SplittableRandom random = new SplittableRandom(7);

    @ParameterizedTest
    @ValueSource(ints = {8, 4, 2})
    void groupRoundTripIsWithinHalfAStep(int bits) {
        GroupQuantizer quantizer = new GroupQuantizer(bits);
        int levels = (1 << bits) - 1;
        for (int trial = 0; trial < 200; trial++) {
            float[] x = randomValues(GROUP, 0.5f + 4f * trial / 200f, trial % 3 == 0 ? 20f : 0f);
            byte[] codes = new byte[GROUP * bits / 8 + 1];
            short[] scales = new short[1];
            short[] zeros = new short[1];
            quantizer.quantize(x, 0, 1, GROUP, codes, 0, scales, zeros, 0);
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (float v : x) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            float scale = Half.halfToFloat(scales[0]);
            // Half a step, plus what rounding the zero point and the scale to fp16 (11 significant bits) can add at
            // the ends of the range, where the code is clamped: 2^-11 of |min| and of levels · scale.
            double bound = scale / 2 + 0x1p-11 * (Math.abs(min) + levels * scale) + 1e-6;
            for (int i = 0; i < GROUP; i++) {
                float back = quantizer.dequantize(codes, i, scales[0], zeros[0]);
                assertTrue(Math.abs(back - x[i]) <= bound, bits + " bits: " + x[i] + " read back as " + back
                        + ", bound " + bound + " (range " + (max - min) + ")");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 4, 2})
    void packingAGroupLeavesItsNeighboursCodes(int bits) {
        GroupQuantizer quantizer = new GroupQuantizer(bits);
        byte[] codes = new byte[3 * GROUP * bits / 8];
        short[] scales = new short[3];
        short[] zeros = new short[3];
        float[] first = randomValues(GROUP, 1f, 0f);
        float[] last = randomValues(GROUP, 1f, 0f);
        quantizer.quantize(first, 0, 1, GROUP, codes, 0, scales, zeros, 0);
        quantizer.quantize(last, 0, 1, GROUP, codes, 2 * GROUP, scales, zeros, 2);
        byte[] before = codes.clone();
        quantizer.quantize(randomValues(GROUP, 1f, 0f), 0, 1, GROUP, codes, GROUP, scales, zeros, 1);
        for (int i = 0; i < GROUP; i++) {
            assertEquals(quantizer.code(before, i), quantizer.code(codes, i));
            assertEquals(quantizer.code(before, 2 * GROUP + i), quantizer.code(codes, 2 * GROUP + i));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 4, 2})
    void constantGroupReadsBackItsValue(int bits) {
        GroupQuantizer quantizer = new GroupQuantizer(bits);
        float[] x = new float[GROUP];
        java.util.Arrays.fill(x, 0.75f);
        byte[] codes = new byte[GROUP];
        short[] scales = new short[1];
        short[] zeros = new short[1];
        quantizer.quantize(x, 0, 1, GROUP, codes, 0, scales, zeros, 0);
        for (int i = 0; i < GROUP; i++) {
            assertEquals(0.75f, quantizer.dequantize(codes, i, scales[0], zeros[0]));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 4, 2})
    void attentionReadsKeysPerChannelAndValuesPerTokenAsTheRoundingRuleSays(int bits) {
        QuantizedKvCache cache = cache(bits);
        float[] keys = randomValues(40 * KV_DIM, 1f, 0f);
        float[] values = randomValues(40 * KV_DIM, 1f, 0f);
        // A prefill of 13, then decode steps one at a time: blocks are quantized across passes.
        write(cache, 0, keys, values, 0, 13);
        for (int p = 13; p < 40; p++) {
            write(cache, 0, keys, values, p, 1);
        }
        // 40 positions with window 8: blocks [0, 32) are quantized, [32, 40) are in the residual.
        float[][] expectedKeys = expectedKeys(bits, keys, 32);
        float[][] expectedValues = expectedValues(bits, values, 32);
        assertReadsAre(cache, 0, expectedKeys, expectedValues, 40);
        for (int p = 32; p < 40; p++) {
            assertArrayEquals(java.util.Arrays.copyOfRange(keys, p * KV_DIM, (p + 1) * KV_DIM), expectedKeys[p],
                    "the residual window holds positions 32..39 exactly");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 4, 2})
    void slotsDoNotShareBlocksOrWindows(int bits) {
        QuantizedKvCache cache = cache(bits);
        float[] keys = randomValues(40 * KV_DIM, 1f, 0f);
        float[] values = randomValues(40 * KV_DIM, 1f, 0f);
        write(cache, 1, keys, values, 0, 40);
        float[] other = randomValues(40 * KV_DIM, 3f, 0f);
        write(cache, 0, other, other, 0, 40);
        assertReadsAre(cache, 1, expectedKeys(bits, keys, 32), expectedValues(bits, values, 32), 40);
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 4, 2})
    void rewindIntoAQuantizedBlockKeepsWhatAttentionReadBefore(int bits) {
        QuantizedKvCache cache = cache(bits);
        float[] keys = randomValues(40 * KV_DIM, 1f, 0f);
        float[] values = randomValues(40 * KV_DIM, 1f, 0f);
        write(cache, 0, keys, values, 0, 40);
        float[][] expectedKeys = expectedKeys(bits, keys, 32);
        float[][] expectedValues = expectedValues(bits, values, 32);
        // Scoring rewinds a slot to a shared prefix: a query at 29 reads [16, 29) in full precision, positions that
        // were packed for the longer sequence; they come back as the values read from the codes.
        cache.rewind(0, 29);
        cache.commit(0, 29, 29);
        assertReadsAre(cache, 0, expectedKeys, expectedValues, 29);
        // Writing on from 29 packs [16, 32) again once it leaves the window, from those values and the new tokens.
        float[] next = randomValues(40 * KV_DIM, 1f, 0f);
        write(cache, 0, next, next, 29, 11);
        float[] rebuiltKeys = keys.clone();
        float[] rebuiltValues = values.clone();
        for (int p = 16; p < 29; p++) {
            System.arraycopy(expectedKeys[p], 0, rebuiltKeys, p * KV_DIM, KV_DIM);
            System.arraycopy(expectedValues[p], 0, rebuiltValues, p * KV_DIM, KV_DIM);
        }
        System.arraycopy(next, 29 * KV_DIM, rebuiltKeys, 29 * KV_DIM, 11 * KV_DIM);
        System.arraycopy(next, 29 * KV_DIM, rebuiltValues, 29 * KV_DIM, 11 * KV_DIM);
        assertReadsAre(cache, 0, expectedKeys(bits, rebuiltKeys, 32), expectedValues(bits, rebuiltValues, 32), 40);
    }

    private static QuantizedKvCache cache(int bits) {
        return new QuantizedKvCache(1, 2, CONTEXT, KV_DIM, HEAD_DIM, new KvCacheFormat(bits, GROUP, RESIDUAL));
    }

    /** One pass over one layer: rows [start, start + count) of the arrays, as CpuBackend drives the cache. */
    private static void write(KvCache cache, int slot, float[] keys, float[] values, int start, int count) {
        cache.rewind(slot, start);
        float[] k = java.util.Arrays.copyOfRange(keys, start * KV_DIM, (start + count) * KV_DIM);
        float[] v = java.util.Arrays.copyOfRange(values, start * KV_DIM, (start + count) * KV_DIM);
        cache.pack(0, slot, start, count, k, v, 0);
        cache.append(0, slot, start, count, k, v, 0);
        cache.commit(slot, start, start + count);
    }

    /** Keys as the rule says: each channel of each block of GROUP tokens below {@code quantized} is one group. */
    private static float[][] expectedKeys(int bits, float[] keys, int quantized) {
        GroupQuantizer quantizer = new GroupQuantizer(bits);
        float[][] expected = rows(keys);
        for (int block = 0; block < quantized; block += GROUP) {
            for (int c = 0; c < KV_DIM; c++) {
                byte[] codes = new byte[GROUP];
                short[] scale = new short[1];
                short[] zero = new short[1];
                quantizer.quantize(keys, block * KV_DIM + c, KV_DIM, GROUP, codes, 0, scale, zero, 0);
                for (int t = 0; t < GROUP; t++) {
                    expected[block + t][c] = quantizer.dequantize(codes, t, scale[0], zero[0]);
                }
            }
        }
        return expected;
    }

    /** Values as the rule says: each token's channels, GROUP at a time (one head here), are one group. */
    private static float[][] expectedValues(int bits, float[] values, int quantized) {
        GroupQuantizer quantizer = new GroupQuantizer(bits);
        float[][] expected = rows(values);
        int width = Math.min(GROUP, HEAD_DIM);
        for (int p = 0; p < quantized; p++) {
            for (int c = 0; c < KV_DIM; c += width) {
                byte[] codes = new byte[width];
                short[] scale = new short[1];
                short[] zero = new short[1];
                quantizer.quantize(values, p * KV_DIM + c, 1, width, codes, 0, scale, zero, 0);
                for (int d = 0; d < width; d++) {
                    expected[p][c + d] = quantizer.dequantize(codes, d, scale[0], zero[0]);
                }
            }
        }
        return expected;
    }

    /** keyScores and addWeightedValues of every head over [first, end) against plain sums over the expected rows. */
    private void assertReadsAre(KvCache cache, int slot, float[][] keys, float[][] values, int end) {
        for (int head = 0; head < KV_HEADS; head++) {
            float[] q = randomValues(HEAD_DIM, 1f, 0f);
            float[] weights = randomValues(end, 1f, 0f);
            for (int first : new int[] {0, 5, end - 3}) {
                float[] scores = new float[end];
                int fullPrecisionFrom = cache.fullPrecisionFrom(end);
                cache.keyScores(0, slot, head, q, 0, 0.5f, first, end, fullPrecisionFrom, scores);
                float[] out = new float[HEAD_DIM];
                cache.addWeightedValues(0, slot, head, weights, first, end, fullPrecisionFrom, out, 0);
                float[] expectedOut = new float[HEAD_DIM];
                for (int p = first; p < end; p++) {
                    double dot = 0;
                    for (int d = 0; d < HEAD_DIM; d++) {
                        dot += q[d] * keys[p][head * HEAD_DIM + d];
                        expectedOut[d] += weights[p - first] * values[p][head * HEAD_DIM + d];
                    }
                    assertEquals(dot * 0.5, scores[p - first], SUM_TOLERANCE, "score of position " + p);
                }
                assertArrayEquals(expectedOut, out, SUM_TOLERANCE * end, "values from position " + first);
            }
        }
    }

    private static float[][] rows(float[] flat) {
        float[][] rows = new float[flat.length / KV_DIM][];
        for (int p = 0; p < rows.length; p++) {
            rows[p] = java.util.Arrays.copyOfRange(flat, p * KV_DIM, (p + 1) * KV_DIM);
        }
        return rows;
    }

    private float[] randomValues(int n, float spread, float offset) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = offset + (float) (random.nextDouble(-1, 1) * spread);
        }
        return x;
    }
}
