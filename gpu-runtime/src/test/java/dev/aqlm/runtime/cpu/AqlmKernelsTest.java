package dev.aqlm.runtime.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aqlm.runtime.checkpoint.Half;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Vector API kernels against the scalar ones, bit for bit: a JVM without jdk.incubator.vector (a Spark executor
 * started without the flag) must give the same numbers as one with it.
 */
class AqlmKernelsTest {
    private final AqlmKernels scalar = new ScalarAqlmKernels();

    private static AqlmKernels vector() {
        assumeTrue(AqlmKernels.best() instanceof VectorAqlmKernels,
                "this JVM runs without --add-modules jdk.incubator.vector (or without 256-bit vectors)");
        return AqlmKernels.best();
    }

    @ParameterizedTest
    @CsvSource({"8, 512", "16, 256", "32, 2048", "8, 192", "8, 4"})
    void vectorTablesEqualScalarTables(int groupSize, int width) {
        SplittableRandom random = new SplittableRandom(groupSize * 31L + width);
        float[] x = gaussians(random, 3 * groupSize);
        float[] byDimension = gaussians(random, groupSize * width);
        float[] expected = new float[width + 5];
        float[] actual = new float[width + 5];
        scalar.buildTable(x, groupSize, byDimension, width, groupSize, expected, 5);
        vector().buildTable(x, groupSize, byDimension, width, groupSize, actual, 5);
        assertThat(actual).containsExactly(expected);
    }

    @Test
    void vectorLookupsEqualScalarLookups() {
        SplittableRandom random = new SplittableRandom(5);
        int pairs = 37;
        int entries = 64;
        byte[] codes = new byte[pairs * AqlmKernels.TILE + 3];
        random.nextBytes(codes);
        for (int i = 0; i < codes.length; i++) {
            codes[i] = (byte) (codes[i] & (entries - 1));
        }
        float[] table = gaussians(random, (pairs + 2) * entries);
        int[] expectedIndices = new int[pairs * AqlmKernels.TILE];
        int[] actualIndices = new int[pairs * AqlmKernels.TILE];
        scalar.tileIndices(codes, 3, 2, pairs, entries, expectedIndices);
        vector().tileIndices(codes, 3, 2, pairs, entries, actualIndices);
        assertThat(actualIndices).containsExactly(expectedIndices);
        float[] expected = gaussians(new SplittableRandom(1), AqlmKernels.TILE + 2);
        float[] actual = expected.clone();
        scalar.addLookups(table, 0, expectedIndices, pairs, expected, 2);
        vector().addLookups(table, 0, expectedIndices, pairs, actual, 2);
        assertThat(actual).containsExactly(expected);
    }

    @ParameterizedTest
    @CsvSource({"8, 1, 128", "8, 1, 5", "16, 1, 64", "32, 1, 7", "8, 2, 33", "16, 3, 6", "4, 1, 9"})
    void vectorDotProductsEqualScalarDotProducts(int groupSize, int books, int groups) {
        SplittableRandom random = new SplittableRandom(groupSize * 7L + books * 3L + groups);
        int entries = 4096;
        float[] codebooks = gaussians(random, books * entries * groupSize);
        short[] codes = new short[groups * books + 1];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = (short) random.nextInt(entries);
        }
        float[] x = gaussians(random, groups * groupSize + 2);
        float expected = scalar.gatherDot(codebooks, null, codes, 1, groups, books, entries, groupSize, x, 2);
        float actual = vector().gatherDot(codebooks, null, codes, 1, groups, books, entries, groupSize, x, 2);
        assertThat(actual).isEqualTo(expected);
        // The same codebooks stored as fp16 bits (values rounded to fp16 first, subnormals and signed zeros included).
        short[] halves = new short[codebooks.length];
        for (int i = 0; i < halves.length; i++) {
            halves[i] = Half.floatToHalf(i % 97 == 0 ? codebooks[i] * 1e-6f : i % 89 == 0 ? -0f : codebooks[i]);
            codebooks[i] = Half.halfToFloat(halves[i]);
        }
        float fromFloats = scalar.gatherDot(codebooks, null, codes, 1, groups, books, entries, groupSize, x, 2);
        assertThat(scalar.gatherDot(null, halves, codes, 1, groups, books, entries, groupSize, x, 2))
                .isEqualTo(fromFloats);
        assertThat(vector().gatherDot(null, halves, codes, 1, groups, books, entries, groupSize, x, 2))
                .isEqualTo(fromFloats);
    }

    /** Lengths with and without a remainder past the last 32-lane block, and one shorter than a block. */
    @ParameterizedTest
    @CsvSource({"1024", "4096", "1000", "31", "33"})
    void vectorRowDotsEqualScalarRowDots(int n) {
        SplittableRandom random = new SplittableRandom(n);
        float[] a = gaussians(random, n + 3);
        float[] b = gaussians(random, n + 1);
        float expected = scalar.rowDot(a, 3, b, 1, n);
        assertThat(vector().rowDot(a, 3, b, 1, n)).isEqualTo(expected);
        double reference = 0;
        for (int i = 0; i < n; i++) {
            reference += (double) a[3 + i] * b[1 + i];
        }
        // fp32 partial sums of at most n / 32 + 31 products of unit gaussians: a few ulps of √n per term.
        assertThat((double) expected).isCloseTo(reference, org.assertj.core.data.Offset.offset(1e-4 * Math.sqrt(n)));
    }

    private static float[] gaussians(SplittableRandom random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }
}
