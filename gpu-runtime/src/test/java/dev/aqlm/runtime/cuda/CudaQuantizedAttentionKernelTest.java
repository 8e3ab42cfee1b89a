package dev.aqlm.runtime.cuda;

import dev.aqlm.runtime.cpu.GroupQuantizer;
import dev.aqlm.runtime.engine.KvCacheFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The attention kernels over a quantized cache against float64 attention over what the cache stands for: a query at
 * position q sees the positions before {@code quantized_end(q)} as their dequantized codes (GroupQuantizer's, which
 * kv_quantize reproduces bit for bit, see CudaKvQuantizeTest) and the later ones as the 16-bit values in the ring.
 * One sequence of 48 positions is written one position at a time into a ring of 40 (so it wraps) with kv_quantize
 * after each, as decode steps do; then decode rows at several positions, and one prefill tile of 18 queries whose
 * residual windows start at three different blocks (the tile stages what its last query reads; earlier queries read
 * the positions in between from the ring).
 */
@Tag("gpu")
class CudaQuantizedAttentionKernelTest extends CudaContextTestBase {
    private static final int CONTEXT = 64;
    private static final int HEADS = 4;
    private static final int KV_HEADS = 2;
    private static final int HEAD_DIM = 32;
    private static final int KV_DIM = KV_HEADS * HEAD_DIM;
    private static final int GROUP = 8;
    private static final int RESIDUAL = 8;
    private static final int RING = 40;
    private static final int LENGTH = 48;
    private static final int SLOT = 1;
    private static final ActivationType TYPE = ActivationType.F16;

    @ParameterizedTest
    @ValueSource(ints = {8, 4, 2})
    void decodeAndPrefillReadCodesBelowTheWindowAndTheRingAbove(int bits) {
        KvCacheFormat format = new KvCacheFormat(bits, GROUP, RESIDUAL);
        DeviceKvLayout layout = new DeviceKvLayout(format, 1, CONTEXT, KV_DIM, HEAD_DIM, RING);
        Random random = new Random(1618 + bits);
        float[][] keys = new float[LENGTH][KV_DIM];
        float[][] values = new float[LENGTH][KV_DIM];
        for (int p = 0; p < LENGTH; p++) {
            for (int c = 0; c < KV_DIM; c++) {
                keys[p][c] = TestTensors.rounded((float) random.nextGaussian() * (1 + c % 5) + (c % 3), TYPE);
                values[p][c] = TestTensors.rounded((float) random.nextGaussian(), TYPE);
            }
        }
        Dequantized stored = new Dequantized(format, keys, values);
        int[] decodePositions = {24, 31, 32, 40, 47};
        int prefillStart = 30;
        int prefillCount = LENGTH - prefillStart;
        try (DeviceMemoryPool pool = new DeviceMemoryPool(context)) {
            DeviceBuffer ringKeys = pool.allocate(layout.ringBytes(), "ring keys");
            DeviceBuffer ringValues = pool.allocate(layout.ringBytes(), "ring values");
            KvCacheView cache = new KvCacheView(ringKeys.address(), ringValues.address(),
                    pool.allocate(layout.keyCodeBytes(), "key codes").address(),
                    pool.allocate(layout.keyParamBytes(), "key params").address(),
                    pool.allocate(layout.valueCodeBytes(), "value codes").address(),
                    pool.allocate(layout.valueParamBytes(), "value params").address(), layout);
            write(pool, cache, ringKeys, ringValues, keys, values);
            Kernels kernels = new Kernels(context);

            int rows = decodePositions.length;
            float[] q = queries(random, rows);
            AttentionPlan plan = AttentionPlan.forContext(CONTEXT);
            AttentionShape shape = AttentionShape.of((long) HEADS * HEAD_DIM, HEADS, KV_HEADS, HEAD_DIM, CONTEXT, 0);
            DeviceBuffer partials = pool.allocate(4L * plan.partialFloats(rows, HEADS, HEAD_DIM), "partials");
            DeviceBuffer out = pool.allocate(2L * rows * HEADS * HEAD_DIM, "decode out");
            out.fill((byte) 0xFF, 0, out.bytes(), context.stream());
            int[] slots = new int[rows];
            java.util.Arrays.fill(slots, SLOT);
            kernels.decodeAttention(TYPE, plan, shape, rows,
                    CudaAttentionKernelTest.upload16(pool, q, TYPE, "queries").address(), cache, DeviceAddress.NULL,
                    CudaAttentionKernelTest.uploadInts(pool, slots, "slots").address(),
                    CudaAttentionKernelTest.uploadInts(pool, decodePositions, "positions").address(),
                    partials.address(), "quantized decode attention test");
            kernels.combineAttention(TYPE, plan, shape, rows, partials.address(), DeviceAddress.NULL, out.address(),
                    "quantized attention combine test");
            context.synchronize("quantized decode attention test");
            CudaLinearKernelTest.assertClose(stored.attention(q, decodePositions),
                    CudaAttentionKernelTest.download16(out, TYPE), 3e-3, bits + "-bit decode attention");

            float[] pq = queries(random, prefillCount);
            int[] positions = new int[prefillCount];
            for (int i = 0; i < prefillCount; i++) {
                positions[i] = prefillStart + i;
            }
            DeviceBuffer prefillOut = pool.allocate(2L * prefillCount * HEADS * HEAD_DIM, "prefill out");
            prefillOut.fill((byte) 0xFF, 0, prefillOut.bytes(), context.stream());
            kernels.prefillAttention(TYPE, shape, 1, CudaAttentionKernelTest.upload16(pool, pq, TYPE, "queries")
                    .address(), cache, CudaAttentionKernelTest.uploadInts(pool, new int[] {0, prefillCount, SLOT,
                    prefillStart}, "tile").address(), prefillOut.address(), "quantized prefill attention test");
            context.synchronize("quantized prefill attention test");
            CudaLinearKernelTest.assertClose(stored.attention(pq, positions),
                    CudaAttentionKernelTest.download16(prefillOut, TYPE), 3e-3, bits + "-bit prefill attention");
        }
    }

    /** Position by position: its row into the ring, then kv_quantize for it (a decode step's order). */
    private static void write(DeviceMemoryPool pool, KvCacheView cache, DeviceBuffer ringKeys,
                              DeviceBuffer ringValues, float[][] keys, float[][] values) {
        DeviceBuffer slot = CudaAttentionKernelTest.uploadInts(pool, new int[] {SLOT}, "slot");
        DeviceBuffer position = pool.allocate(4, "position");
        Kernels kernels = new Kernels(context);
        for (int p = 0; p < keys.length; p++) {
            long at = 2L * (SLOT * RING + p % RING) * KV_DIM;
            ringKeys.upload(row16(keys[p]), at);
            ringValues.upload(row16(values[p]), at);
            position.upload(new int[] {p}, 0);
            kernels.kvQuantize(TYPE, 1, cache, slot.address(), position.address(), "kv_quantize at " + p);
            context.synchronize("kv_quantize at " + p);
        }
    }

    private static ByteBuffer row16(float[] row) {
        ByteBuffer bytes = ByteBuffer.allocateDirect(2 * row.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : row) {
            bytes.putShort(TYPE.encode(value));
        }
        return bytes.flip();
    }

    private static float[] queries(Random random, int rows) {
        float[] q = new float[rows * HEADS * HEAD_DIM];
        for (int i = 0; i < q.length; i++) {
            q[i] = TestTensors.rounded((float) random.nextGaussian(), TYPE);
        }
        return q;
    }

    /** The cache's contents as attention must see them: codes as GroupQuantizer dequantizes them, and the ring. */
    private static final class Dequantized {
        final KvCacheFormat format;
        final float[][] keys;
        final float[][] values;
        final float[][] packedKeys = new float[LENGTH][KV_DIM];
        final float[][] packedValues = new float[LENGTH][KV_DIM];

        Dequantized(KvCacheFormat format, float[][] keys, float[][] values) {
            this.format = format;
            this.keys = keys;
            this.values = values;
            for (int block = 0; block < LENGTH / GROUP; block++) {
                for (int c = 0; c < KV_DIM; c++) {
                    float[] group = new float[GROUP];
                    for (int t = 0; t < GROUP; t++) {
                        group[t] = keys[block * GROUP + t][c];
                    }
                    float[] restored = roundTrip(group);
                    for (int t = 0; t < GROUP; t++) {
                        packedKeys[block * GROUP + t][c] = restored[t];
                    }
                }
            }
            int valueGroup = Math.min(GROUP, HEAD_DIM);
            for (int p = 0; p < LENGTH; p++) {
                for (int c = 0; c < KV_DIM; c += valueGroup) {
                    float[] restored = roundTrip(java.util.Arrays.copyOfRange(values[p], c, c + valueGroup));
                    System.arraycopy(restored, 0, packedValues[p], c, valueGroup);
                }
            }
        }

        /** code · scale + zero for each element, with the group's fp16 scale and zero. */
        private float[] roundTrip(float[] group) {
            GroupQuantizer quantizer = new GroupQuantizer(format.bits());
            byte[] codes = new byte[group.length * format.bits() / 8];
            short[] scale = new short[1];
            short[] zero = new short[1];
            quantizer.quantize(group, 0, 1, group.length, codes, 0, scale, zero, 0);
            float[] restored = new float[group.length];
            int perByte = 8 / format.bits();
            for (int i = 0; i < group.length; i++) {
                int code = (codes[i / perByte] >> (i % perByte) * format.bits()) & format.levels();
                restored[i] = code * TestTensors.halfValue(scale[0]) + TestTensors.halfValue(zero[0]);
            }
            return restored;
        }

        /** quantized_end of attention.cu (KvCacheFormat.fullPrecisionFrom for this context). */
        private int quantizedEnd(int position) {
            return Math.min(Math.max(0, position - RESIDUAL) / GROUP, CONTEXT / GROUP) * GROUP;
        }

        double[] attention(float[] q, int[] positions) {
            int queryDim = HEADS * HEAD_DIM;
            double[] out = new double[positions.length * queryDim];
            for (int r = 0; r < positions.length; r++) {
                int position = positions[r];
                int end = quantizedEnd(position);
                for (int h = 0; h < HEADS; h++) {
                    int channel0 = h / (HEADS / KV_HEADS) * HEAD_DIM;
                    double[] scores = new double[position + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int p = 0; p <= position; p++) {
                        float[] k = p < end ? packedKeys[p] : keys[p];
                        double dot = 0;
                        for (int d = 0; d < HEAD_DIM; d++) {
                            dot += (double) q[r * queryDim + h * HEAD_DIM + d] * k[channel0 + d];
                        }
                        scores[p] = dot / Math.sqrt(HEAD_DIM);
                        max = Math.max(max, scores[p]);
                    }
                    double sum = 0;
                    for (int p = 0; p <= position; p++) {
                        scores[p] = Math.exp(scores[p] - max);
                        sum += scores[p];
                    }
                    for (int d = 0; d < HEAD_DIM; d++) {
                        double acc = 0;
                        for (int p = 0; p <= position; p++) {
                            acc += scores[p] * (p < end ? packedValues[p] : values[p])[channel0 + d];
                        }
                        out[r * queryDim + h * HEAD_DIM + d] = acc / sum;
                    }
                }
            }
            return out;
        }
    }
}
