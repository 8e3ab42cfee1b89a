package dev.aqlm.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aqlm.runtime.engine.SamplingParams;
import dev.aqlm.runtime.engine.TokenSampler;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The device sampler picks exactly the token TokenSampler picks from the same logits (same rule, same counter-based
 * random number), and the scoring kernel matches a float64 log-softmax.
 */
@Tag("gpu")
class CudaSamplingKernelTest extends CudaContextTestBase {
    private final Random random = new Random(99);

    private static final SamplingParams[] PARAMS = {
        SamplingParams.GREEDY,
        new SamplingParams(0.8, 0, 1, 1),
        new SamplingParams(1.0, 40, 1, 2),
        new SamplingParams(0.7, 0, 0.9, 3),
        new SamplingParams(1.3, 50, 0.8, 4),
        new SamplingParams(0.5, 1, 1, 5),
        new SamplingParams(2.0, 0, 0.05, 6),
        new SamplingParams(1.0, 0, 1, 0.05, 7),
        new SamplingParams(0.9, 40, 0.9, 0.2, 8),
        new SamplingParams(1.5, 0, 1, 0.5, 9),
    };

    @Test
    void deviceSamplerMatchesTokenSampler() {
        for (int vocab : new int[] {512, 32000}) {
            for (boolean ties : new boolean[] {false, true}) {
                int rows = 3 * PARAMS.length;
                float[] logits = new float[rows * vocab];
                for (int i = 0; i < logits.length; i++) {
                    float value = (float) (random.nextGaussian() * 3);
                    logits[i] = ties ? Math.round(value) : value;
                }
                SamplingParams[] params = new SamplingParams[rows];
                int[] positions = new int[rows];
                for (int r = 0; r < rows; r++) {
                    params[r] = PARAMS[r % PARAMS.length].withSeed(random.nextLong());
                    positions[r] = random.nextInt(4000);
                }
                int[] got = sample(logits, vocab, params, positions);
                int[] expected = new int[rows];
                for (int r = 0; r < rows; r++) {
                    expected[r] = TokenSampler.sample(logits, r * vocab, vocab, params[r], positions[r]);
                }
                assertArrayEquals(expected, got, "vocab " + vocab + (ties ? " with ties" : ""));
            }
        }
    }

    /**
     * TokenSampler.argmax compares with '>', so a maximum of -0.0 at a lower id ties with +0.0 at a higher id and the
     * lower id wins; the device's (logit bits, id) key alone would rank +0.0 above -0.0.
     */
    @Test
    void greedyAndScoringTreatSignedZerosAsATie() {
        int vocab = 4096;
        float[] logits = new float[2 * vocab];
        java.util.Arrays.fill(logits, -1f);
        logits[5] = -0.0f;
        logits[9] = 0.0f;
        logits[vocab + 3000] = 0.0f;
        logits[vocab + 3001] = -0.0f;
        int[] expected = {TokenSampler.argmax(logits, 0, vocab), TokenSampler.argmax(logits, vocab, vocab)};
        assertArrayEquals(new int[] {5, 3000}, expected);
        int[] got = sample(logits, vocab, new SamplingParams[] {SamplingParams.GREEDY, SamplingParams.GREEDY},
                new int[] {0, 0});
        assertArrayEquals(expected, got);
        try (DeviceMemoryPool pool = new DeviceMemoryPool(context)) {
            DeviceBuffer logitBuffer = pool.allocate(4L * logits.length, "logits");
            logitBuffer.upload(logits, 0);
            DeviceBuffer targetBuffer = pool.allocate(8, "targets");
            targetBuffer.upload(new int[] {5, 3001}, 0);
            DeviceBuffer logProbs = pool.allocate(8, "log probs");
            DeviceBuffer isArgmax = pool.allocate(8, "argmax");
            new Kernels(context).targetLogProbs(2, logitBuffer.address(), vocab, targetBuffer.address(),
                    logProbs.address(), isArgmax.address(), "signed zero scoring test");
            context.synchronize("signed zero scoring test");
            int[] flags = new int[2];
            isArgmax.download(flags, 0);
            assertArrayEquals(new int[] {1, 0}, flags, "is_argmax follows TokenSampler.argmax");
        }
    }

    private int[] sample(float[] logits, int vocab, SamplingParams[] params, int[] positions) {
        int rows = params.length;
        try (DeviceMemoryPool pool = new DeviceMemoryPool(context)) {
            DeviceBuffer logitBuffer = pool.allocate(4L * logits.length, "logits");
            logitBuffer.upload(logits, 0);
            ByteBuffer rowBytes = ByteBuffer.allocateDirect(SamplingRows.BYTES * rows).order(ByteOrder.LITTLE_ENDIAN);
            for (int r = 0; r < rows; r++) {
                SamplingRows.put(rowBytes, r * SamplingRows.BYTES, params[r], positions[r]);
            }
            DeviceBuffer paramBuffer = pool.allocate(rowBytes.capacity(), "sampling rows");
            paramBuffer.upload(rowBytes, 0);
            DeviceBuffer tokens = pool.allocate(4L * rows, "tokens");
            new Kernels(context).sampleTokens(rows, logitBuffer.address(), vocab, paramBuffer.address(),
                    tokens.address(), "sampler test");
            context.synchronize("sampler test");
            int[] result = new int[rows];
            tokens.download(result, 0);
            return result;
        }
    }

    @Test
    void scoringMatchesFloat64LogSoftmax() {
        int vocab = 32000;
        int rows = 9;
        float[] logits = new float[rows * vocab];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (random.nextGaussian() * 4);
        }
        int[] targets = new int[rows];
        for (int r = 0; r < rows; r++) {
            targets[r] = r == 0 ? TokenSampler.argmax(logits, 0, vocab) : random.nextInt(vocab);
        }
        try (DeviceMemoryPool pool = new DeviceMemoryPool(context)) {
            DeviceBuffer logitBuffer = pool.allocate(4L * logits.length, "logits");
            logitBuffer.upload(logits, 0);
            DeviceBuffer targetBuffer = pool.allocate(4L * rows, "targets");
            targetBuffer.upload(targets, 0);
            DeviceBuffer logProbs = pool.allocate(4L * rows, "log probs");
            DeviceBuffer isArgmax = pool.allocate(4L * rows, "argmax");
            new Kernels(context).targetLogProbs(rows, logitBuffer.address(), vocab, targetBuffer.address(),
                    logProbs.address(), isArgmax.address(), "scoring test");
            context.synchronize("scoring test");
            float[] got = new float[rows];
            int[] flags = new int[rows];
            logProbs.download(got, 0);
            isArgmax.download(flags, 0);
            for (int r = 0; r < rows; r++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < vocab; i++) {
                    max = Math.max(max, logits[r * vocab + i]);
                }
                double sum = 0;
                for (int i = 0; i < vocab; i++) {
                    sum += Math.exp(logits[r * vocab + i] - max);
                }
                double expected = logits[r * vocab + targets[r]] - max - Math.log(sum);
                assertEquals(expected, got[r], 1e-5, "row " + r);
                assertEquals(TokenSampler.argmax(logits, r * vocab, vocab) == targets[r], flags[r] != 0, "row " + r);
            }
        }
    }
}
