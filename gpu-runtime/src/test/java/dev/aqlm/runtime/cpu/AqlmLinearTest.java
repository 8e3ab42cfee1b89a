package dev.aqlm.runtime.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aqlm.runtime.checkpoint.Checkpoint;
import dev.aqlm.runtime.checkpoint.DType;
import dev.aqlm.runtime.checkpoint.SafetensorsWriter;
import dev.aqlm.runtime.model.AqlmConfig;
import dev.aqlm.runtime.model.AqlmLinearWeights;
import dev.aqlm.runtime.synthetic.SyntheticModelWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CPU AQLM layers against the format's definition, computed in double from the stored tensors:
 * W[o, g·G + j] = scales[o] · Σ_c codebooks[c, codes[o, g, c] &amp; (2^bits − 1), 0, j].
 */
class AqlmLinearTest {
    /** fp32 sums over a few hundred products against a double reference. */
    private static final double TOLERANCE = 1e-5;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"2x8", "1x16", "1x8", "4x8", "3x6", "1x12", "2x12", "1x16g16", "2x8g16", "8x8g32", "1x15"})
    void everySchemeMatchesTheDequantizedDefinition(String name) {
        AqlmConfig scheme = SyntheticModelWriter.scheme(name);
        int out = 24;
        int in = 2 * 32 * 3; // a multiple of every group size
        Path file = writeLayer(scheme, out, in, false);
        try (Checkpoint checkpoint = Checkpoint.open(file.getParent())) {
            AqlmLinearWeights weights = layer(checkpoint, scheme, out, in, false);
            assertMatchesDefinition(weights, new SplittableRandom(7));
        }
    }

    /** Wide enough that the lookup-table layer splits its input groups into several blocks and pieces. */
    @ParameterizedTest
    @ValueSource(strings = {"2x8", "1x8", "8x8g32"})
    void wideLayersMatchTheDequantizedDefinition(String name) {
        AqlmConfig scheme = SyntheticModelWriter.scheme(name);
        int out = 40;
        int in = 4096 + 32 * 3; // not a whole number of blocks or pieces
        Path file = writeLayer(scheme, out, in, false);
        try (Checkpoint checkpoint = Checkpoint.open(file.getParent())) {
            assertMatchesDefinition(layer(checkpoint, scheme, out, in, false), new SplittableRandom(11));
        }
    }

    @org.junit.jupiter.api.Test
    void transposedCodesOfEarlyCheckpointsAreReadTheSameWay() {
        AqlmConfig scheme = SyntheticModelWriter.scheme("8x8g32");
        Path file = writeLayer(scheme, 16, 128, true);
        try (Checkpoint checkpoint = Checkpoint.open(file.getParent())) {
            assertMatchesDefinition(layer(checkpoint, scheme, 16, 128, true), new SplittableRandom(3));
        }
    }

    private void assertMatchesDefinition(AqlmLinearWeights weights, SplittableRandom random) {
        int out = weights.outFeatures();
        int in = weights.inFeatures();
        double[] dense = dequantize(weights);
        CpuLinear linear = CpuLinear.of(weights);
        for (int rows : new int[] {1, 3, 17}) {
            float[] input = new float[rows * in];
            for (int i = 0; i < input.length; i++) {
                input[i] = (float) random.nextGaussian();
            }
            float[] output = new float[rows * out];
            try (ParallelLoops loops = new ParallelLoops(2)) {
                linear.apply(input, output, rows, loops);
            }
            double maxError = 0;
            double maxValue = 0;
            for (int r = 0; r < rows; r++) {
                for (int o = 0; o < out; o++) {
                    double expected = 0;
                    for (int i = 0; i < in; i++) {
                        expected += dense[o * in + i] * input[r * in + i];
                    }
                    maxError = Math.max(maxError, Math.abs(expected - output[r * out + o]));
                    maxValue = Math.max(maxValue, Math.abs(expected));
                }
            }
            assertThat(maxError / maxValue).as(weights.scheme().shortName() + " rows " + rows).isLessThan(TOLERANCE);
            assertSameAloneAndWithoutVectors(weights, linear, input, output, rows);
        }
    }

    /**
     * Bit for bit, no tolerance: each row equals that row computed alone (the engine's batch invariance rests on it),
     * and the scalar kernels of JVMs without the Vector API give the same output.
     */
    private static void assertSameAloneAndWithoutVectors(AqlmLinearWeights weights, CpuLinear linear, float[] input,
                                                         float[] output, int rows) {
        int out = weights.outFeatures();
        int in = weights.inFeatures();
        float[] scalarOutput = new float[rows * out];
        try (ParallelLoops loops = new ParallelLoops(2)) {
            CpuLinear.of(weights, new ScalarAqlmKernels()).apply(input, scalarOutput, rows, loops);
            for (int r = 0; r < rows; r++) {
                float[] alone = new float[out];
                linear.apply(java.util.Arrays.copyOfRange(input, r * in, (r + 1) * in), alone, 1, loops);
                assertThat(alone).as("row " + r + " alone").containsExactly(
                        java.util.Arrays.copyOfRange(output, r * out, (r + 1) * out));
            }
        }
        assertThat(scalarOutput).as("scalar kernels").containsExactly(output);
    }

    /** The definition, straight from the stored tensors, in double. */
    private static double[] dequantize(AqlmLinearWeights weights) {
        int out = weights.outFeatures();
        int in = weights.inFeatures();
        int group = weights.scheme().inGroupSize();
        int books = weights.scheme().codebookCount();
        int entries = weights.scheme().codebookSize();
        int[] codes = weights.codes().toInts();
        float[] codebooks = weights.codebooks().toFloats();
        float[] scales = weights.scales().toFloats();
        double[] dense = new double[out * in];
        for (int o = 0; o < out; o++) {
            for (int g = 0; g < in / group; g++) {
                for (int c = 0; c < books; c++) {
                    int stored = weights.codesTransposed() ? codes[(g * out + o) * books + c] : codes[(o * (in / group) + g) * books + c];
                    int index = (int) Math.floorMod((long) stored, (long) entries); // Python's int64(v) mod 2^n
                    for (int j = 0; j < group; j++) {
                        dense[o * in + g * group + j] += scales[o] * (double) codebooks[(c * entries + index) * group + j];
                    }
                }
            }
        }
        return dense;
    }

    private Path writeLayer(AqlmConfig scheme, int out, int in, boolean transposed) {
        int group = scheme.inGroupSize();
        int books = scheme.codebookCount();
        int bits = scheme.bitsPerCodebook();
        DType codeType = bits <= 8 ? DType.I8 : DType.I16;
        SplittableRandom random = new SplittableRandom(bits * 31L + books);
        long[] codeShape = transposed ? new long[] {in / group, out, books} : new long[] {out, in / group, books};
        SafetensorsWriter writer = new SafetensorsWriter()
                .add("layer.codes", codeType, codeShape, (chunk, first) -> {
                    while (chunk.hasRemaining()) {
                        // Full-width random values: the high bits beyond nbits must be masked off by the reader.
                        int value = random.nextInt();
                        if (codeType == DType.I8) {
                            chunk.put((byte) value);
                        } else {
                            chunk.putShort((short) value);
                        }
                    }
                })
                .add("layer.codebooks", DType.F16, new long[] {books, 1L << bits, 1, group}, (chunk, first) -> {
                    while (chunk.hasRemaining()) {
                        SafetensorsWriter.putFloat(chunk, DType.F16, (float) random.nextGaussian());
                    }
                })
                .add("layer.scales", DType.F16, new long[] {out, 1, 1, 1}, (chunk, first) -> {
                    while (chunk.hasRemaining()) {
                        SafetensorsWriter.putFloat(chunk, DType.F16, (float) (0.5 + random.nextDouble()));
                    }
                });
        try {
            Files.createDirectories(dir.resolve(scheme.shortName()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Path file = dir.resolve(scheme.shortName()).resolve("model.safetensors");
        writer.write(file);
        return file;
    }

    private static AqlmLinearWeights layer(Checkpoint checkpoint, AqlmConfig scheme, int out, int in, boolean transposed) {
        return new AqlmLinearWeights("layer", new AqlmConfig(scheme.codebookCount(), scheme.bitsPerCodebook(),
                scheme.inGroupSize(), 1, List.of()), out, in, checkpoint.tensor("layer.codes"),
                checkpoint.tensor("layer.codebooks"), checkpoint.tensor("layer.scales"), null, transposed);
    }
}
