package dev.aqlm.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.checkpoint.SafetensorsFile;
import dev.aqlm.runtime.model.AqlmConfig;
import dev.aqlm.runtime.model.AqlmLinearWeights;
import dev.aqlm.runtime.model.DenseLinearWeights;
import dev.aqlm.runtime.model.LinearWeights;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The linear kernel against a float64 reference on fresh random weights and inputs, for every weight format and both
 * tile shapes. Tolerance (relative L2): 2e-3 in fp16 (inputs and decoded weights rounded to fp16, fp32 sums) and 1e-2
 * in bf16 (8-bit mantissa). Outputs are poisoned with NaN first, so an unwritten element fails.
 */
@Tag("gpu")
class CudaLinearKernelTest {
    private static CudaContext context;
    private static LinearPlan.Limits limits;
    @TempDir
    Path temp;
    private final Random random = new Random(20240611);

    @BeforeAll
    static void open() {
        CudaDevice device = GpuTests.requireDevice();
        context = new CudaContext(device);
        context.makeCurrent();
        limits = LinearPlan.Limits.of(device);
    }

    @AfterAll
    static void close() {
        if (context != null) {
            context.close();
        }
    }

    @Test
    void denseFp16AndBf16() {
        dense(96, 4096, new int[] {1, 3, 16, 40}, ActivationType.F16);
        dense(200, 1000, new int[] {1, 33}, ActivationType.BF16);
    }

    @Test
    void aqlm2x8And1x8() {
        aqlm(2, 8, 8, 100, 4096, new int[] {1, 5, 33}, ActivationType.F16);
        aqlm(1, 8, 8, 64, 1024, new int[] {2, 64}, ActivationType.F16);
        aqlm(2, 8, 8, 64, 1024, new int[] {1, 40}, ActivationType.BF16);
    }

    @Test
    void aqlm1x16FromL2() {
        aqlm(1, 16, 8, 96, 4096, new int[] {1, 17, 48}, ActivationType.F16);
    }

    /** Upstream's g16 kernels skip inputs past 4096 (aqlm.md §4.1): this shape must use all 11008. */
    @Test
    void aqlm1x16Group16With11008Inputs() {
        aqlm(1, 16, 16, 64, 11008, new int[] {1, 40}, ActivationType.F16);
    }

    @Test
    void oddWidthsAndManyCodebooks() {
        aqlm(1, 12, 8, 64, 2048, new int[] {1, 40}, ActivationType.F16);
        aqlm(2, 12, 8, 64, 2048, new int[] {3, 40}, ActivationType.F16);
        aqlm(3, 8, 8, 48, 1024, new int[] {1, 40}, ActivationType.F16);
        aqlm(8, 8, 32, 64, 2048, new int[] {1, 40}, ActivationType.F16);
        aqlm(1, 8, 32, 64, 1024, new int[] {2}, ActivationType.F16);
    }

    @Test
    void swiGluAndResidualEpilogues() {
        int k = 512;
        int features = 80;
        ActivationType type = ActivationType.F16;
        float[] gate = gaussian(features * k, 0.05f);
        float[] up = gaussian(features * k, 0.05f);
        SafetensorsFile file = SafetensorsFile.open(new TestTensors()
                .put("gate", TestTensors.half(new long[] {features, k}, gate, type))
                .put("up", TestTensors.half(new long[] {features, k}, up, type))
                .write(temp.resolve("mlp.safetensors")));
        try (file; DeviceMemoryPool pool = new DeviceMemoryPool(context)) {
            DeviceLinear fused = DeviceLinear.upload(pool, new WeightUploader(type), "gate/up",
                    List.of(new DenseLinearWeights("gate", file.tensor("gate"), null),
                            new DenseLinearWeights("up", file.tensor("up"), null)),
                    FusedRows.gateUp(features), LinearShape.SetMode.INTERLEAVED, new int[] {0, 0});
            int rows = 5;
            float[] x = gaussian(rows * k, 1f);
            DeviceBuffer input = upload(pool, x, type);
            DeviceBuffer out = pool.allocate(2L * rows * features, "swiglu out");
            out.fill((byte) 0xFF, 0, out.bytes(), context.stream());
            fused.launch(new Kernels(context), type, limits, rows, new LinearArgs().set(LinearArgs.Field.INPUT, input.address())
                    .set(LinearArgs.Field.IN_STRIDE, k).set(LinearArgs.Field.OUTPUT, out.address())
                    .set(LinearArgs.Field.OUT_STRIDE, features)
                    .epilogue(LinearArgs.Epilogue.SWIGLU));
            context.synchronize("swiglu test");
            short[] got = new short[rows * features];
            out.download(got, 0);
            double[] expected = new double[rows * features];
            double[] actual = new double[rows * features];
            for (int r = 0; r < rows; r++) {
                for (int f = 0; f < features; f++) {
                    double g = dot(x, r * k, gate, f * k, k, type);
                    double u = dot(x, r * k, up, f * k, k, type);
                    expected[r * features + f] = g / (1 + Math.exp(-g)) * u;
                    actual[r * features + f] = type.decode(got[r * features + f]);
                }
            }
            assertClose(expected, actual, 2e-3, "SwiGLU epilogue");

            DeviceLinear gateOnly = DeviceLinear.upload(pool, new WeightUploader(type), "gate",
                    List.of(new DenseLinearWeights("gate", file.tensor("gate"), null)), FusedRows.single(features),
                    LinearShape.SetMode.SINGLE, new int[] {0, 0});
            float[] start = gaussian(rows * features, 1f);
            DeviceBuffer residual = pool.allocate(4L * rows * features, "residual");
            residual.upload(start, 0);
            gateOnly.launch(new Kernels(context), type, limits, rows, new LinearArgs().set(LinearArgs.Field.INPUT, input.address())
                    .set(LinearArgs.Field.IN_STRIDE, k).set(LinearArgs.Field.RESIDUAL, residual.address())
                    .set(LinearArgs.Field.OUT_STRIDE, features)
                    .epilogue(LinearArgs.Epilogue.ADD_RESIDUAL));
            context.synchronize("residual test");
            float[] sum = new float[rows * features];
            residual.download(sum, 0);
            for (int r = 0; r < rows; r++) {
                for (int f = 0; f < features; f++) {
                    expected[r * features + f] = start[r * features + f] + dot(x, r * k, gate, f * k, k, type);
                    actual[r * features + f] = sum[r * features + f];
                }
            }
            assertClose(expected, actual, 2e-3, "residual epilogue");
        }
    }

    /**
     * The fused q/k/v linear with the RoPE epilogue at head_dim 128 and GQA: queries come out rotated in pair order
     * (dimension d of a head at RowOrder.storedDimension(d)), keys land rotated in pair order and values in natural
     * order at (slot, position) of the cache, for both tile shapes. Cache rows not written must stay poisoned.
     */
    @Test
    void qkvRopeEpilogueRotatesQueriesAndFillsTheCache() {
        int hidden = 256;
        int heads = 4;
        int kvHeads = 2;
        int headDim = 128;
        int cacheContext = 1024;
        int slots = 2;
        int q = heads * headDim;
        int kv = kvHeads * headDim;
        ActivationType type = ActivationType.F16;
        float[] wq = gaussian(q * hidden, 0.05f);
        float[] wk = gaussian(kv * hidden, 0.05f);
        float[] wv = gaussian(kv * hidden, 0.05f);
        SafetensorsFile file = SafetensorsFile.open(new TestTensors()
                .put("q", TestTensors.half(new long[] {q, hidden}, wq, type))
                .put("k", TestTensors.half(new long[] {kv, hidden}, wk, type))
                .put("v", TestTensors.half(new long[] {kv, hidden}, wv, type))
                .write(temp.resolve("qkv.safetensors")));
        dev.aqlm.runtime.model.RopeConfig rope = dev.aqlm.runtime.model.RopeConfig.llama3(500000, 8, 1, 4, 256);
        float[][] table = DeviceModel.ropeValues(rope, headDim, cacheContext);
        try (file; DeviceMemoryPool pool = new DeviceMemoryPool(context)) {
            DeviceLinear fused = DeviceLinear.upload(pool, new WeightUploader(type), "q/k/v",
                    List.of(new DenseLinearWeights("q", file.tensor("q"), null),
                            new DenseLinearWeights("k", file.tensor("k"), null),
                            new DenseLinearWeights("v", file.tensor("v"), null)),
                    FusedRows.queryKeyValue(heads, kvHeads, headDim), LinearShape.SetMode.RANGES, new int[] {q, q + kv});
            DeviceAddress[] ropeTable = DeviceModel.ropeTable(pool, rope, headDim, cacheContext);
            for (int rows : new int[] {3, 40}) {
                int[] positions = new int[rows];
                int[] slotOf = new int[rows];
                for (int r = 0; r < rows; r++) {
                    positions[r] = r * 37 % cacheContext; // distinct (slot, position) pairs
                    slotOf[r] = r % slots;
                }
                positions[rows - 1] = cacheContext - 1;
                float[] x = gaussian(rows * hidden, 1f);
                DeviceBuffer input = upload(pool, x, type);
                DeviceBuffer positionBuffer = pool.allocate(4L * rows, "positions");
                positionBuffer.upload(positions, 0);
                DeviceBuffer slotBuffer = pool.allocate(4L * rows, "slots");
                slotBuffer.upload(slotOf, 0);
                DeviceBuffer queries = pool.allocate(2L * rows * q, "queries");
                DeviceBuffer keys = pool.allocate(2L * slots * cacheContext * kv, "k cache");
                DeviceBuffer values = pool.allocate(2L * slots * cacheContext * kv, "v cache");
                for (DeviceBuffer buffer : new DeviceBuffer[] {queries, keys, values}) {
                    buffer.fill((byte) 0xFF, 0, buffer.bytes(), context.stream());
                }
                fused.launch(new Kernels(context), type, limits, rows, new LinearArgs()
                        .set(LinearArgs.Field.INPUT, input.address()).set(LinearArgs.Field.IN_STRIDE, hidden)
                        .set(LinearArgs.Field.OUTPUT, queries.address()).set(LinearArgs.Field.OUT_STRIDE, q)
                        .epilogue(LinearArgs.Epilogue.QKV_ROPE)
                        .set(LinearArgs.Field.POSITIONS, positionBuffer.address())
                        .set(LinearArgs.Field.SLOTS, slotBuffer.address())
                        .set(LinearArgs.Field.ROPE_COS, ropeTable[0]).set(LinearArgs.Field.ROPE_SIN, ropeTable[1])
                        .set(LinearArgs.Field.K_CACHE, keys.address()).set(LinearArgs.Field.V_CACHE, values.address())
                        .set(LinearArgs.Field.Q_DIM, q).set(LinearArgs.Field.KV_DIM, kv)
                        .set(LinearArgs.Field.HEAD_DIM, headDim).set(LinearArgs.Field.CONTEXT, cacheContext));
                context.synchronize("q/k/v RoPE test");
                double[] gotQ = CudaAttentionKernelTest.download16(queries, type);
                double[] gotK = CudaAttentionKernelTest.download16(keys, type);
                double[] gotV = CudaAttentionKernelTest.download16(values, type);
                double[] expectedQ = new double[rows * q];
                double[] expectedK = new double[rows * kv];
                double[] actualK = new double[rows * kv];
                double[] expectedV = new double[rows * kv];
                double[] actualV = new double[rows * kv];
                boolean[] written = new boolean[slots * cacheContext];
                for (int r = 0; r < rows; r++) {
                    int p = positions[r];
                    int cacheRow = (slotOf[r] * cacheContext + p) * kv;
                    written[slotOf[r] * cacheContext + p] = true;
                    rotateInto(x, r * hidden, wq, heads, headDim, hidden, table, p, expectedQ, r * q, type);
                    rotateInto(x, r * hidden, wk, kvHeads, headDim, hidden, table, p, expectedK, r * kv, type);
                    for (int j = 0; j < kv; j++) {
                        actualK[r * kv + j] = gotK[cacheRow + j];
                        expectedV[r * kv + j] = dot(x, r * hidden, wv, j * hidden, hidden, type);
                        actualV[r * kv + j] = gotV[cacheRow + j];
                    }
                }
                String what = "q/k/v RoPE, " + rows + " rows (" + LinearTile.forRows(rows) + " tile)";
                assertClose(expectedQ, gotQ, 2e-3, what + ": queries");
                assertClose(expectedK, actualK, 2e-3, what + ": cached keys");
                assertClose(expectedV, actualV, 2e-3, what + ": cached values");
                for (int at = 0; at < written.length; at++) {
                    if (!written[at]) {
                        assertTrue(Double.isNaN(gotK[at * kv]) && Double.isNaN(gotV[at * kv + kv - 1]),
                                what + ": cache row " + at + " was written but no row has that slot and position");
                    }
                }
            }
        }
    }

    /** Rotate-half RoPE of W·x per head (CPU layout), stored in the device's pair order. */
    private static void rotateInto(float[] x, int xAt, float[] w, int heads, int headDim, int k, float[][] table,
                                   int position, double[] out, int outAt, ActivationType type) {
        int half = headDim / 2;
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                double x1 = dot(x, xAt, w, (h * headDim + i) * k, k, type);
                double x2 = dot(x, xAt, w, (h * headDim + half + i) * k, k, type);
                double c = table[0][position * half + i];
                double s = table[1][position * half + i];
                out[outAt + h * headDim + RowOrder.storedDimension(i, headDim)] = x1 * c - x2 * s;
                out[outAt + h * headDim + RowOrder.storedDimension(i + half, headDim)] = x2 * c + x1 * s;
            }
        }
    }

    private void dense(int out, int in, int[] rowCounts, ActivationType type) {
        float[] weight = gaussian(out * in, 0.05f);
        SafetensorsFile file = SafetensorsFile.open(new TestTensors()
                .put("w", TestTensors.half(new long[] {out, in}, weight, type)).write(temp.resolve("dense.safetensors")));
        try (file) {
            run(new DenseLinearWeights("w", file.tensor("w"), null), rowCounts, type,
                    (o, j) -> TestTensors.rounded(weight[o * in + j], type), "dense " + type + " " + out + "x" + in);
        }
    }

    private void aqlm(int books, int bits, int group, int out, int in, int[] rowCounts, ActivationType type) {
        int groups = in / group;
        int entries = 1 << bits;
        int[] indices = new int[out * groups * books];
        for (int i = 0; i < indices.length; i++) {
            indices[i] = random.nextInt(entries);
        }
        float[] codebooks = gaussian(books * entries * group, 0.1f);
        float[] scales = new float[out];
        for (int o = 0; o < out; o++) {
            scales[o] = 0.5f + random.nextFloat();
        }
        String name = books + "x" + bits + "g" + group;
        SafetensorsFile file = SafetensorsFile.open(new TestTensors()
                .put("codes", TestTensors.codes(new long[] {out, groups, books}, indices, bits))
                .put("codebooks", TestTensors.half(new long[] {books, entries, 1, group}, codebooks, ActivationType.F16))
                .put("scales", TestTensors.half(new long[] {out, 1, 1, 1}, scales, ActivationType.F16))
                .write(temp.resolve(name + ".safetensors")));
        try (file) {
            AqlmConfig scheme = new AqlmConfig(books, bits, group, 1, List.of());
            AqlmLinearWeights weights = new AqlmLinearWeights(name, scheme, out, in, file.tensor("codes"),
                    file.tensor("codebooks"), file.tensor("scales"), null, false);
            float[] halfScales = new float[out];
            for (int o = 0; o < out; o++) {
                halfScales[o] = TestTensors.rounded(scales[o], ActivationType.F16);
            }
            run(weights, rowCounts, type, (o, j) -> {
                int g = j / group;
                double sum = 0;
                for (int c = 0; c < books; c++) {
                    int index = indices[(o * groups + g) * books + c];
                    sum += TestTensors.rounded(TestTensors.rounded(codebooks[(c * entries + index) * group + j % group],
                            ActivationType.F16), type);
                }
                return halfScales[o] * sum;
            }, "AQLM " + name + " " + type + " " + out + "x" + in);
        }
    }

    @FunctionalInterface
    private interface DenseWeight {
        double at(int output, int input);
    }

    private void run(LinearWeights weights, int[] rowCounts, ActivationType type, DenseWeight reference, String what) {
        int out = weights.outFeatures();
        int in = weights.inFeatures();
        try (DeviceMemoryPool pool = new DeviceMemoryPool(context)) {
            DeviceLinear linear = DeviceLinear.upload(pool, new WeightUploader(type), what, List.of(weights),
                    FusedRows.single(out), LinearShape.SetMode.SINGLE, new int[] {0, 0});
            for (int rows : rowCounts) {
                float[] x = gaussian(rows * in, 1f);
                DeviceBuffer input = upload(pool, x, type);
                DeviceBuffer output = pool.allocate(4L * rows * out, "output");
                output.fill((byte) 0xFF, 0, output.bytes(), context.stream());
                linear.launch(new Kernels(context), type, limits, rows, new LinearArgs()
                        .set(LinearArgs.Field.INPUT, input.address()).set(LinearArgs.Field.IN_STRIDE, in)
                        .set(LinearArgs.Field.OUTPUT, output.address()).set(LinearArgs.Field.OUT_STRIDE, out)
                        .epilogue(LinearArgs.Epilogue.STORE_F32));
                context.synchronize(what);
                float[] got = new float[rows * out];
                output.download(got, 0);
                double[] expected = new double[rows * out];
                double[] actual = new double[rows * out];
                for (int r = 0; r < rows; r++) {
                    for (int o = 0; o < out; o++) {
                        double sum = 0;
                        for (int j = 0; j < in; j++) {
                            sum += TestTensors.rounded(x[r * in + j], type) * reference.at(o, j);
                        }
                        expected[r * out + o] = sum;
                        actual[r * out + o] = got[r * out + o];
                    }
                }
                assertClose(expected, actual, type == ActivationType.F16 ? 2e-3 : 1e-2,
                        what + ", " + rows + " rows (" + LinearTile.forRows(rows) + " tile)");
            }
        }
    }

    private DeviceBuffer upload(DeviceMemoryPool pool, float[] values, ActivationType type) {
        ByteBuffer bytes = ByteBuffer.allocateDirect(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : values) {
            bytes.putShort(type.encode(value));
        }
        DeviceBuffer buffer = pool.allocate(bytes.capacity(), "input");
        buffer.upload(bytes.flip(), 0);
        return buffer;
    }

    private static double dot(float[] x, int xAt, float[] w, int wAt, int n, ActivationType type) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += (double) TestTensors.rounded(x[xAt + i], type) * TestTensors.rounded(w[wAt + i], type);
        }
        return sum;
    }

    private float[] gaussian(int n, float scale) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian() * scale;
        }
        return values;
    }

    static void assertClose(double[] expected, double[] actual, double tolerance, String what) {
        double difference = 0;
        double norm = 0;
        for (int i = 0; i < expected.length; i++) {
            assertFalse(Double.isNaN(actual[i]), what + ": element " + i + " was not written (NaN)");
            difference += (actual[i] - expected[i]) * (actual[i] - expected[i]);
            norm += expected[i] * expected[i];
        }
        double relative = Math.sqrt(difference / norm);
        System.out.printf("%s: relative L2 error %.3g%n", what, relative);
        assertTrue(relative <= tolerance, what + ": relative L2 error " + relative + " > " + tolerance);
    }
}
