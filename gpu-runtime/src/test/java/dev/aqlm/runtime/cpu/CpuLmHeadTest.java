package dev.aqlm.runtime.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** lm_head on the vector dot: the definition's logits, each row's logits the same alone or in a batch, any JVM. */
class CpuLmHeadTest {
    private static final int VOCAB = 300; // not a whole number of row blocks
    private static final int HIDDEN = 200; // not a whole number of 32-lane blocks

    @Test
    void logitsMatchTheDefinitionAndDoNotDependOnTheBatchOrTheVectorApi() {
        SplittableRandom random = new SplittableRandom(42);
        float[] weight = gaussians(random, VOCAB * HIDDEN);
        int rows = 5;
        float[] input = gaussians(random, rows * HIDDEN);
        float[] logits = new float[rows * VOCAB];
        float[] scalarLogits = new float[rows * VOCAB];
        try (ParallelLoops loops = new ParallelLoops(2)) {
            new CpuLmHead(weight, VOCAB, HIDDEN, AqlmKernels.best()).apply(input, logits, rows, loops);
            new CpuLmHead(weight, VOCAB, HIDDEN, new ScalarAqlmKernels()).apply(input, scalarLogits, rows, loops);
            for (int r = 0; r < rows; r++) {
                float[] alone = new float[VOCAB];
                new CpuLmHead(weight, VOCAB, HIDDEN, AqlmKernels.best())
                        .apply(Arrays.copyOfRange(input, r * HIDDEN, (r + 1) * HIDDEN), alone, 1, loops);
                assertThat(alone).as("row " + r + " alone")
                        .containsExactly(Arrays.copyOfRange(logits, r * VOCAB, (r + 1) * VOCAB));
            }
        }
        assertThat(scalarLogits).as("scalar kernels").containsExactly(logits);
        double maxError = 0;
        for (int r = 0; r < rows; r++) {
            for (int v = 0; v < VOCAB; v++) {
                double expected = 0;
                for (int i = 0; i < HIDDEN; i++) {
                    expected += (double) weight[v * HIDDEN + i] * input[r * HIDDEN + i];
                }
                maxError = Math.max(maxError, Math.abs(expected - logits[r * VOCAB + v]));
            }
        }
        // fp32 sums of 200 products of unit gaussians (logits of about ±14): rounding errors near 1e-5.
        assertThat(maxError).isLessThan(1e-4);
    }

    private static float[] gaussians(SplittableRandom random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }
}
