package dev.aqlm.runtime.cuda;

import dev.aqlm.runtime.engine.KvCacheFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The attention kernels alone against float64 attention over the same 16-bit queries, keys and values, at the shapes
 * the tiny fixtures never reach: head_dim 128 (prefill then needs more than 48 KiB of dynamic shared memory), 80 (not
 * a power of two) and 16, eight query heads per key/value head, sliding windows, several decode splits, decode rows
 * read through a row index, and a 150-token chunk whose prefill tiles start mid-context. Keys and values past each
 * query's position hold random values, so a masking error changes the result. Outputs are poisoned with NaN first.
 */
@Tag("gpu")
class CudaAttentionKernelTest extends CudaContextTestBase {
    private static final int CONTEXT = 1024;
    private static final int SLOTS = 2;

    private final Random random = new Random(314159);

    record Shape(int heads, int kvHeads, int headDim, int window, ActivationType type) {
        int kvDim() {
            return kvHeads * headDim;
        }

        int queryDim() {
            return heads * headDim;
        }

        float scale() {
            return (float) (1.0 / Math.sqrt(headDim));
        }

        /** What the kernels take: rows of q_dim, a cache of CONTEXT positions. */
        AttentionShape kernelShape() {
            return AttentionShape.of(queryDim(), heads, kvHeads, headDim, CONTEXT, window);
        }

        /** A 16-bit cache of SLOTS x CONTEXT positions in {@code keys} and {@code values}. */
        KvCacheView fullPrecision(DeviceBuffer keys, DeviceBuffer values) {
            return new KvCacheView(keys.address(), values.address(), DeviceAddress.NULL, DeviceAddress.NULL,
                    DeviceAddress.NULL, DeviceAddress.NULL, new DeviceKvLayout(KvCacheFormat.FULL_PRECISION,
                    SLOTS - 1, CONTEXT, kvDim(), headDim, CONTEXT));
        }

        @Override
        public String toString() {
            return heads + "/" + kvHeads + " heads x " + headDim + (window > 0 ? ", window " + window : "") + ", " + type;
        }
    }

    private static final Shape[] SHAPES = {
        new Shape(32, 4, 128, 0, ActivationType.F16),
        new Shape(8, 8, 64, 0, ActivationType.BF16),
        new Shape(4, 2, 16, 37, ActivationType.F16),
        new Shape(12, 4, 80, 100, ActivationType.F16),
    };

    /** Random 16-bit cache contents for every slot and position (positions past a query's must not matter). */
    private final class Cache {
        final Shape shape;
        final float[] keys;
        final float[] values;

        Cache(Shape shape) {
            this.shape = shape;
            this.keys = rounded(gaussian(SLOTS * CONTEXT * shape.kvDim(), 1f), shape.type());
            this.values = rounded(gaussian(SLOTS * CONTEXT * shape.kvDim(), 1f), shape.type());
        }

        /** float64 attention of query row {@code q} (at qAt) for head h, at (slot, position). */
        void reference(float[] q, int qAt, int slot, int position, double[] out, int outAt) {
            int group = shape.heads() / shape.kvHeads();
            int d = shape.headDim();
            for (int h = 0; h < shape.heads(); h++) {
                int kv = h / group;
                int first = shape.window() > 0 ? Math.max(0, position - shape.window() + 1) : 0;
                double[] scores = new double[position - first + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int p = first; p <= position; p++) {
                    int at = (slot * CONTEXT + p) * shape.kvDim() + kv * d;
                    double dot = 0;
                    for (int e = 0; e < d; e++) {
                        dot += (double) q[qAt + h * d + e] * keys[at + e];
                    }
                    scores[p - first] = dot * shape.scale();
                    max = Math.max(max, scores[p - first]);
                }
                double sum = 0;
                for (int i = 0; i < scores.length; i++) {
                    scores[i] = Math.exp(scores[i] - max);
                    sum += scores[i];
                }
                for (int e = 0; e < d; e++) {
                    double acc = 0;
                    for (int p = first; p <= position; p++) {
                        acc += scores[p - first] * values[(slot * CONTEXT + p) * shape.kvDim() + kv * d + e];
                    }
                    out[outAt + h * d + e] = acc / sum;
                }
            }
        }
    }

    @Test
    void decodeKernelMatchesFloat64Attention() {
        int[] slots = {0, 1, 0, 1, 0};
        int[] positions = {0, 63, 64, 300, CONTEXT - 1};
        int[] rowIndex = {4, 2, 0, 1, 3};
        for (Shape shape : SHAPES) {
            Cache cache = new Cache(shape);
            int rows = slots.length;
            float[] q = rounded(gaussian(rows * shape.queryDim(), 1f), shape.type());
            AttentionPlan plan = AttentionPlan.forContext(CONTEXT);
            try (DeviceMemoryPool pool = new DeviceMemoryPool(context)) {
                DeviceBuffer keys = upload16(pool, cache.keys, shape.type(), "keys");
                DeviceBuffer values = upload16(pool, cache.values, shape.type(), "values");
                DeviceBuffer queries = upload16(pool, q, shape.type(), "queries");
                DeviceBuffer slotBuffer = uploadInts(pool, slots, "slots");
                DeviceBuffer positionBuffer = uploadInts(pool, positions, "positions");
                DeviceBuffer index = uploadInts(pool, rowIndex, "row index");
                DeviceBuffer partials = pool.allocate(4L * plan.partialFloats(rows, shape.heads(), shape.headDim()),
                        "partials");
                DeviceBuffer out = pool.allocate(2L * rows * shape.queryDim(), "attention out");
                out.fill((byte) 0xFF, 0, out.bytes(), context.stream());
                Kernels kernels = new Kernels(context);
                kernels.decodeAttention(shape.type(), plan, shape.kernelShape(), rows, queries.address(),
                        shape.fullPrecision(keys, values), index.address(), slotBuffer.address(),
                        positionBuffer.address(), partials.address(), "decode attention test");
                kernels.combineAttention(shape.type(), plan, shape.kernelShape(), rows, partials.address(),
                        index.address(), out.address(), "attention combine test");
                context.synchronize("decode attention test");
                double[] expected = new double[rows * shape.queryDim()];
                for (int r = 0; r < rows; r++) {
                    cache.reference(q, r * shape.queryDim(), slots[r], positions[r], expected, r * shape.queryDim());
                }
                CudaLinearKernelTest.assertClose(expected, download16(out, shape.type()), tolerance(shape),
                        "decode attention " + shape + " (" + plan.splits() + " splits)");
            }
        }
    }

    @Test
    void prefillKernelMatchesFloat64Attention() {
        for (Shape shape : SHAPES) {
            Cache cache = new Cache(shape);
            // A 150-token chunk at positions 20..169 of slot 1 (tiles of 64, 64, 22), then a 2-token chunk at the start
            // of slot 0 and a 1-token tile at position 700 of slot 0.
            List<ForwardPlan.PrefillTile> tiles = new ArrayList<>();
            List<int[]> rowsAt = new ArrayList<>(); // {slot, position} per row
            addChunk(tiles, rowsAt, 1, 20, 150);
            addChunk(tiles, rowsAt, 0, 0, 2);
            addChunk(tiles, rowsAt, 0, 700, 1);
            int rows = rowsAt.size();
            float[] q = rounded(gaussian(rows * shape.queryDim(), 1f), shape.type());
            int[] tileInts = new int[4 * tiles.size()];
            for (int t = 0; t < tiles.size(); t++) {
                ForwardPlan.PrefillTile tile = tiles.get(t);
                tileInts[4 * t] = tile.row();
                tileInts[4 * t + 1] = tile.count();
                tileInts[4 * t + 2] = tile.slot();
                tileInts[4 * t + 3] = tile.startPosition();
            }
            try (DeviceMemoryPool pool = new DeviceMemoryPool(context)) {
                DeviceBuffer keys = upload16(pool, cache.keys, shape.type(), "keys");
                DeviceBuffer values = upload16(pool, cache.values, shape.type(), "values");
                DeviceBuffer queries = upload16(pool, q, shape.type(), "queries");
                DeviceBuffer tileBuffer = uploadInts(pool, tileInts, "prefill tiles");
                DeviceBuffer out = pool.allocate(2L * rows * shape.queryDim(), "attention out");
                out.fill((byte) 0xFF, 0, out.bytes(), context.stream());
                new Kernels(context).prefillAttention(shape.type(), shape.kernelShape(), tiles.size(),
                        queries.address(), shape.fullPrecision(keys, values), tileBuffer.address(), out.address(),
                        "prefill attention test");
                context.synchronize("prefill attention test");
                double[] expected = new double[rows * shape.queryDim()];
                for (int r = 0; r < rows; r++) {
                    cache.reference(q, r * shape.queryDim(), rowsAt.get(r)[0], rowsAt.get(r)[1], expected,
                            r * shape.queryDim());
                }
                CudaLinearKernelTest.assertClose(expected, download16(out, shape.type()), tolerance(shape),
                        "prefill attention " + shape + " (" + tiles.size() + " tiles, shared "
                                + AttentionPlan.prefillSharedBytes(shape.headDim()) + " B)");
            }
        }
    }

    /** Tiles of up to 64 queries for a chunk, as ForwardPlan cuts them; the rows follow those already listed. */
    private static void addChunk(List<ForwardPlan.PrefillTile> tiles, List<int[]> rowsAt, int slot, int start,
                                 int length) {
        int first = rowsAt.size();
        for (int t = 0; t < length; t += ForwardPlan.PREFILL_TILE) {
            tiles.add(new ForwardPlan.PrefillTile(first + t, Math.min(ForwardPlan.PREFILL_TILE, length - t), slot,
                    start + t));
        }
        for (int i = 0; i < length; i++) {
            rowsAt.add(new int[] {slot, start + i});
        }
    }

    private static double tolerance(Shape shape) {
        return shape.type() == ActivationType.F16 ? 3e-3 : 1.5e-2;
    }

    private float[] gaussian(int n, float scale) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian() * scale;
        }
        return values;
    }

    private static float[] rounded(float[] values, ActivationType type) {
        for (int i = 0; i < values.length; i++) {
            values[i] = TestTensors.rounded(values[i], type);
        }
        return values;
    }

    static DeviceBuffer upload16(DeviceMemoryPool pool, float[] values, ActivationType type, String label) {
        ByteBuffer bytes = ByteBuffer.allocateDirect(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : values) {
            bytes.putShort(type.encode(value));
        }
        DeviceBuffer buffer = pool.allocate(bytes.capacity(), label);
        buffer.upload(bytes.flip(), 0);
        return buffer;
    }

    static DeviceBuffer uploadInts(DeviceMemoryPool pool, int[] values, String label) {
        DeviceBuffer buffer = pool.allocate(4L * values.length, label);
        buffer.upload(values, 0);
        return buffer;
    }

    static double[] download16(DeviceBuffer buffer, ActivationType type) {
        short[] bits = new short[(int) (buffer.bytes() / 2)];
        buffer.download(bits, 0);
        double[] values = new double[bits.length];
        for (int i = 0; i < bits.length; i++) {
            values[i] = type.decode(bits[i]);
        }
        return values;
    }
}
