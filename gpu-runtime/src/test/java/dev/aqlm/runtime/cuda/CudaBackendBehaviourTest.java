package dev.aqlm.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.Fixtures;
import dev.aqlm.runtime.checkpoint.Checkpoint;
import dev.aqlm.runtime.cpu.CpuBackend;
import dev.aqlm.runtime.engine.Backend;
import dev.aqlm.runtime.engine.ChunkOutput;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.engine.GenerationRequest;
import dev.aqlm.runtime.engine.GenerationResult;
import dev.aqlm.runtime.engine.SamplingParams;
import dev.aqlm.runtime.engine.Scheduler;
import dev.aqlm.runtime.engine.SequenceChunk;
import dev.aqlm.runtime.model.ModelWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Properties of the CUDA backend that the scheduler and the Spark job rely on. */
@Tag("gpu")
class CudaBackendBehaviourTest {
    private static EngineOptions cuda(int slots) {
        return EngineOptions.DEFAULTS.withBackend(EngineOptions.BackendKind.CUDA).withSlots(slots)
                .withContextLength(256);
    }

    private static List<GenerationRequest> requests(String model) {
        List<GenerationRequest> requests = new ArrayList<>();
        List<Fixtures.GoldenPrompt> prompts = Fixtures.goldenPrompts(model);
        for (int i = 0; i < 6; i++) {
            SamplingParams sampling = i % 3 == 0 ? SamplingParams.GREEDY
                    : new SamplingParams(0.9, i % 3 == 1 ? 0 : 20, 0.95, 1000 + i);
            requests.add(new GenerationRequest("r" + i, prompts.get(i % prompts.size()).inputIds(), sampling,
                    10 + 3 * i, Set.of(), List.of(), null, false));
        }
        return requests;
    }

    /** The completion tokens of {@code requests}, in their order, scheduled together on {@code backend}. */
    static List<int[]> run(Backend backend, List<GenerationRequest> requests) {
        Scheduler scheduler = new Scheduler(backend, 512, null);
        requests.forEach(scheduler::submit);
        List<GenerationResult> results = scheduler.runToCompletion();
        List<int[]> tokens = new ArrayList<>();
        for (GenerationRequest request : requests) {
            tokens.add(results.stream().filter(r -> r.id().equals(request.id())).findFirst().orElseThrow()
                    .completionTokens());
        }
        return tokens;
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-tiny-aqlm-2x8", "mixtral-tiny-aqlm-2x8", "llama-tiny-bf16-llama3rope"})
    void graphsAndEagerGiveIdenticalTokens(String model) {
        GpuTests.requireDevice();
        try (Checkpoint checkpoint = Checkpoint.open(Fixtures.model(model))) {
            ModelWeights weights = CudaBackendFixtureTest.load(checkpoint, model);
            List<int[]> withGraphs;
            List<int[]> eager;
            try (CudaBackend backend = CudaBackend.open(weights, cuda(4))) {
                withGraphs = run(backend, requests(model));
            }
            try (CudaBackend backend = CudaBackend.open(weights, cuda(4).withCudaGraphs(false))) {
                eager = run(backend, requests(model));
            }
            for (int i = 0; i < withGraphs.size(); i++) {
                assertArrayEquals(eager.get(i), withGraphs.get(i), model + " request " + i);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-tiny-aqlm-1x16", "mixtral-tiny-aqlm-2x8"})
    void continuousBatchingGivesTheTokensOfOneAtATime(String model) {
        GpuTests.requireDevice();
        try (Checkpoint checkpoint = Checkpoint.open(Fixtures.model(model));
             CudaBackend backend = CudaBackend.open(CudaBackendFixtureTest.load(checkpoint, model), cuda(3))) {
            List<GenerationRequest> requests = requests(model);
            List<int[]> together = run(backend, requests);
            for (int i = 0; i < requests.size(); i++) {
                int[] alone = run(backend, List.of(requests.get(i))).get(0);
                assertArrayEquals(alone, together.get(i), model + " request " + i);
                assertEquals(requests.get(i).maxNewTokens(), alone.length);
            }
        }
    }

    /**
     * Mistral's sliding window, in both attention kernels: a fixture turned into a Mistral with an 8-position window,
     * a 40-token prompt (prefill tiles) then single-token steps (decode kernel), logits against the CPU backend.
     */
    @org.junit.jupiter.api.Test
    void slidingWindowMatchesTheCpu(@org.junit.jupiter.api.io.TempDir java.nio.file.Path temp) throws Exception {
        GpuTests.requireDevice();
        java.nio.file.Path source = Fixtures.model("llama-tiny-fp16");
        com.fasterxml.jackson.databind.node.ObjectNode config = (com.fasterxml.jackson.databind.node.ObjectNode)
                Fixtures.json(source.resolve("config.json"));
        config.put("model_type", "mistral").put("sliding_window", 8);
        java.nio.file.Files.writeString(temp.resolve("config.json"), config.toString());
        java.nio.file.Files.copy(source.resolve("model.safetensors"), temp.resolve("model.safetensors"));
        dev.aqlm.runtime.model.ModelConfig mistral = dev.aqlm.runtime.model.ModelConfigReader.read(temp);
        assertEquals(8, mistral.slidingWindow());
        try (Checkpoint checkpoint = Checkpoint.open(temp)) {
            ModelWeights weights = dev.aqlm.runtime.model.WeightsLoader.load(checkpoint, mistral);
            int[] prompt = new Random(3).ints(40, 0, mistral.vocabSize()).toArray();
            try (CpuBackend cpu = new CpuBackend(weights, 1, 64, 2);
                 CudaBackend gpu = CudaBackend.open(weights, cuda(1).withContextLength(64))) {
                SequenceChunk whole = new SequenceChunk(0, 0, prompt, ChunkOutput.ALL_LOGITS);
                double error = Fixtures.relativeMaxError(gpu.forward(List.of(whole)).get(0).logits(),
                        cpu.forward(List.of(whole)).get(0).logits());
                assertTrue(error <= 1e-2, "prefill with a sliding window: " + error);
                for (int step = 0; step < 10; step++) {
                    SequenceChunk next = new SequenceChunk(0, prompt.length + step, new int[] {step + 7},
                            ChunkOutput.ALL_LOGITS);
                    double stepError = Fixtures.relativeMaxError(gpu.forward(List.of(next)).get(0).logits(),
                            cpu.forward(List.of(next)).get(0).logits());
                    assertTrue(stepError <= 1e-2, "decode step " + step + " with a sliding window: " + stepError);
                }
            }
        }
    }

    /** A prompt longer than one pass is cut across passes and 64-query tiles; its logits still match the CPU's. */
    @ParameterizedTest
    @ValueSource(strings = {"llama-mistraltok-aqlm-2x8", "llama-tiny-fp16"})
    void longPromptsSplitAcrossPassesMatchTheCpu(String model) {
        GpuTests.requireDevice();
        try (Checkpoint checkpoint = Checkpoint.open(Fixtures.model(model))) {
            ModelWeights weights = CudaBackendFixtureTest.load(checkpoint, model);
            Random random = new Random(5);
            int[] prompt = random.ints(150, 0, weights.config().vocabSize()).toArray();
            SequenceChunk chunk = new SequenceChunk(0, 0, prompt, ChunkOutput.ALL_LOGITS);
            float[][] expected;
            try (CpuBackend cpu = new CpuBackend(weights, 1, 256, 2)) {
                expected = cpu.forward(List.of(chunk)).get(0).logits();
            }
            try (CudaBackend gpu = CudaBackend.open(weights, cuda(1).withMaxPrefillTokens(1))) {
                float[][] actual = gpu.forward(List.of(chunk)).get(0).logits();
                double error = Fixtures.relativeMaxError(actual, expected);
                System.out.printf("%s: 150-token prompt in passes of 65 rows: %.3g%n", model, error);
                assertTrue(error <= 1e-2, model + ": " + error);
            }
        }
    }
}
