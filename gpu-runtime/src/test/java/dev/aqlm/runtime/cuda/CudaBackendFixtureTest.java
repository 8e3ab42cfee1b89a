package dev.aqlm.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.aqlm.runtime.Fixtures;
import dev.aqlm.runtime.checkpoint.Checkpoint;
import dev.aqlm.runtime.cpu.CpuBackend;
import dev.aqlm.runtime.engine.Backend;
import dev.aqlm.runtime.engine.ChunkOutput;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.engine.SamplingParams;
import dev.aqlm.runtime.engine.SequenceChunk;
import dev.aqlm.runtime.model.ModelConfigReader;
import dev.aqlm.runtime.model.ModelWeights;
import dev.aqlm.runtime.model.WeightsLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CUDA backend against the Hugging Face goldens: logits within 1e-2 of the logit scale (fp16/bf16 activations,
 * fp32 accumulation; the goldens are float64), and greedy decoding (prefill, then graph-captured decode steps)
 * reproducing greedy_new_tokens. A step where the CPU reference's top-2 margin is under 1e-2 of the logit scale is a
 * near-tie that 16-bit arithmetic may break either way: a difference there is reported by name and ends the comparison
 * of that prompt (the continuations differ from then on).
 */
@Tag("gpu")
class CudaBackendFixtureTest {
    private static final double LOGIT_TOLERANCE = 1e-2;
    private static final double NEAR_TIE = 1e-2;

    static Stream<String> models() {
        return Fixtures.modelNames().stream();
    }

    private static EngineOptions options() {
        return EngineOptions.DEFAULTS.withBackend(EngineOptions.BackendKind.CUDA).withSlots(2).withContextLength(128);
    }

    @ParameterizedTest
    @MethodSource("models")
    void logitsMatchHuggingFace(String name) {
        GpuTests.requireDevice();
        try (Checkpoint checkpoint = Checkpoint.open(Fixtures.model(name));
             CudaBackend backend = CudaBackend.open(load(checkpoint, name), options())) {
            for (Fixtures.GoldenPrompt prompt : Fixtures.goldenPrompts(name)) {
                float[][] logits = backend.forward(List.of(new SequenceChunk(0, 0, prompt.inputIds(),
                        ChunkOutput.ALL_LOGITS))).get(0).logits();
                double error = Fixtures.relativeMaxError(logits, prompt.logits());
                System.out.printf("%s prompt %d on %s: max|diff|/max|logit| = %.3g%n", name, prompt.index(),
                        backend.description(), error);
                assertTrue(error <= LOGIT_TOLERANCE, name + " prompt " + prompt.index() + ": " + error);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void greedyDecodingMatchesHuggingFace(String name) {
        GpuTests.requireDevice();
        try (Checkpoint checkpoint = Checkpoint.open(Fixtures.model(name))) {
            ModelWeights weights = load(checkpoint, name);
            try (CudaBackend gpu = CudaBackend.open(weights, options());
                 CpuBackend cpu = new CpuBackend(weights, 1, 128, 2)) {
                for (Fixtures.GoldenPrompt prompt : Fixtures.goldenPrompts(name)) {
                    int[] generated = generate(gpu, prompt.inputIds(), prompt.greedyNewTokens().length);
                    compare(name, prompt, generated, cpu);
                }
            }
        }
    }

    /** Greedy decoding of one sequence: the prompt as one chunk, then single-token (graph-replayed) steps. */
    static int[] generate(Backend backend, int[] prompt, int count) {
        ChunkOutput greedy = new ChunkOutput.NextToken(SamplingParams.GREEDY);
        int[] tokens = new int[count];
        tokens[0] = backend.forward(List.of(new SequenceChunk(0, 0, prompt, greedy))).get(0).nextToken();
        for (int i = 1; i < count; i++) {
            tokens[i] = backend.forward(List.of(new SequenceChunk(0, prompt.length + i - 1,
                    new int[] {tokens[i - 1]}, greedy))).get(0).nextToken();
        }
        return tokens;
    }

    /**
     * Fails unless {@code generated} is Hugging Face's greedy continuation, up to a near-tie of the CPU reference
     * (reported, and the end of the comparison).
     */
    static void compare(String name, Fixtures.GoldenPrompt prompt, int[] generated, CpuBackend cpu) {
        int[] expected = prompt.greedyNewTokens();
        for (int step = 0; step < expected.length; step++) {
            if (generated[step] == expected[step]) {
                continue;
            }
            int[] context = new int[prompt.inputIds().length + step];
            System.arraycopy(prompt.inputIds(), 0, context, 0, prompt.inputIds().length);
            System.arraycopy(expected, 0, context, prompt.inputIds().length, step);
            float[][] logits = cpu.forward(List.of(new SequenceChunk(0, 0, context, ChunkOutput.ALL_LOGITS)))
                    .get(0).logits();
            double margin = relativeTopTwoMargin(logits[logits.length - 1]);
            String where = name + " prompt " + prompt.index() + " step " + step + ": GPU chose " + generated[step]
                    + ", Hugging Face " + expected[step] + ", CPU top-2 margin " + String.format("%.3g", margin)
                    + " of the logit scale";
            if (margin < NEAR_TIE) {
                System.out.println("near-tie, allowed: " + where + "; later steps not compared");
                return;
            }
            fail(where + " (GPU " + Arrays.toString(generated) + ", expected " + Arrays.toString(expected) + ")");
        }
    }

    private static double relativeTopTwoMargin(float[] logits) {
        float first = Float.NEGATIVE_INFINITY;
        float second = Float.NEGATIVE_INFINITY;
        float scale = 0;
        for (float value : logits) {
            scale = Math.max(scale, Math.abs(value));
            if (value > first) {
                second = first;
                first = value;
            } else if (value > second) {
                second = value;
            }
        }
        return (first - second) / scale;
    }

    static ModelWeights load(Checkpoint checkpoint, String name) {
        return WeightsLoader.load(checkpoint, ModelConfigReader.read(Fixtures.model(name)));
    }

    static List<String> names() {
        return new ArrayList<>(Fixtures.modelNames());
    }
}
