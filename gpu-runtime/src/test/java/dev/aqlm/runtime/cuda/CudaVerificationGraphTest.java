package dev.aqlm.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.Fixtures;
import dev.aqlm.runtime.checkpoint.Checkpoint;
import dev.aqlm.runtime.engine.ChunkOutput;
import dev.aqlm.runtime.engine.ChunkResult;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.engine.GenerationRequest;
import dev.aqlm.runtime.engine.SamplingParams;
import dev.aqlm.runtime.engine.SequenceChunk;
import dev.aqlm.runtime.engine.Speculation;
import dev.aqlm.runtime.model.ModelWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Speculative verification steps on CUDA replay captured graphs: once the prompts are in, every step of a batch that
 * mixes prompt-lookup and plain sequences (greedy and seeded) is a graph step, each (bucket, width) shape is captured
 * once and then replayed, and with graphs off the same steps run eagerly and give the same tokens.
 */
@Tag("gpu")
class CudaVerificationGraphTest {
    private static final int NEW_TOKENS = 12;

    private static List<GenerationRequest> requests(String model) {
        List<GenerationRequest> requests = new ArrayList<>();
        List<int[]> prompts = Fixtures.goldenPromptsTwice(model);
        for (int i = 0; i < 4; i++) {
            int[] twice = prompts.get(i % prompts.size());
            SamplingParams sampling = i % 2 == 0 ? SamplingParams.GREEDY : new SamplingParams(0.9, 20, 0.95, 40 + i);
            Speculation speculation = i < 3 ? new Speculation.PromptLookup(4, 1) : Speculation.NONE;
            requests.add(new GenerationRequest("r" + i, twice, sampling, NEW_TOKENS, Set.of(), List.of(), null, false,
                    speculation));
        }
        return requests;
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-tiny-aqlm-2x8", "mixtral-tiny-aqlm-2x8"})
    void mixedStepsOfSpeculatingAndPlainSequencesRunAsGraphs(String model) {
        GpuTests.requireDevice();
        EngineOptions options = EngineOptions.DEFAULTS.withBackend(EngineOptions.BackendKind.CUDA).withSlots(4)
                .withContextLength(128);
        try (Checkpoint checkpoint = Checkpoint.open(Fixtures.model(model))) {
            ModelWeights weights = CudaBackendFixtureTest.load(checkpoint, model);
            List<int[]> withGraphs;
            List<int[]> eager;
            try (CudaBackend backend = CudaBackend.open(weights, options)) {
                withGraphs = CudaBackendBehaviourTest.run(backend, requests(model));
                GraphCounts counts = backend.graphCounts();
                assertEquals(1, counts.eagerPasses(), "only the prompts' pass runs eagerly");
                for (GraphStep.Shape shape : counts.shapes()) {
                    assertEquals(1, counts.captures(shape), shape + " is captured once");
                    assertTrue(counts.launches(shape) >= 1, shape.toString());
                    assertEquals(0, counts.eagerSteps(shape), shape.toString());
                }
                assertTrue(counts.shapes().stream().anyMatch(shape -> shape.width() > 1),
                        "verification steps ran as graphs: " + counts.shapes());
            }
            try (CudaBackend backend = CudaBackend.open(weights, options.withCudaGraphs(false))) {
                eager = CudaBackendBehaviourTest.run(backend, requests(model));
                GraphCounts counts = backend.graphCounts();
                assertFalse(counts.shapes().isEmpty());
                for (GraphStep.Shape shape : counts.shapes()) {
                    assertEquals(0, counts.captures(shape), shape + " with graphs off");
                    assertEquals(0, counts.launches(shape), shape + " with graphs off");
                }
                assertEquals(1, counts.eagerPasses());
            }
            for (int i = 0; i < withGraphs.size(); i++) {
                assertEquals(NEW_TOKENS, withGraphs.get(i).length);
                assertArrayEquals(eager.get(i), withGraphs.get(i), model + " request " + i + ": graphs vs eager");
            }
        }
    }

    /**
     * Three steps of one shape, straight on the backend: two sequences verify drafts (3 and 2 tokens), one decodes
     * plainly, after their prompts. The (bucket 4 x width 3) graph is captured at the first step and replayed at the
     * next two; every chunk gets a token per position, the same ones as the same steps run eagerly. With two
     * tensor-parallel shards every shard captures and replays its own graph (counted on the lead).
     */
    @ParameterizedTest
    @CsvSource({"llama-tiny-aqlm-2x8, 1", "mixtral-tiny-aqlm-2x8, 1", "llama-tiny-aqlm-2x8, 2"})
    void verificationStepsOfOneShapeReplayOneGraph(String model, int shards) {
        GpuTests.requireDevice();
        EngineOptions options = EngineOptions.DEFAULTS.withBackend(EngineOptions.BackendKind.CUDA).withSlots(4)
                .withContextLength(64).withTensorParallel(shards);
        try (Checkpoint checkpoint = Checkpoint.open(Fixtures.model(model))) {
            ModelWeights weights = CudaBackendFixtureTest.load(checkpoint, model);
            List<List<ChunkResult>> withGraphs;
            try (CudaBackend backend = CudaBackend.open(weights, options)) {
                withGraphs = threeVerificationSteps(backend, model);
                GraphStep.Shape shape = new GraphStep.Shape(4, 3);
                assertEquals(Set.of(shape), backend.graphCounts().shapes());
                assertEquals(1, backend.graphCounts().captures(shape));
                assertEquals(3, backend.graphCounts().launches(shape));
            }
            List<List<ChunkResult>> eager;
            try (CudaBackend backend = CudaBackend.open(weights, options.withCudaGraphs(false))) {
                eager = threeVerificationSteps(backend, model);
                assertEquals(3, backend.graphCounts().eagerSteps(new GraphStep.Shape(4, 3)));
            }
            for (int step = 0; step < 3; step++) {
                List<ChunkResult> graph = withGraphs.get(step);
                assertEquals(3, graph.get(0).sampledTokens().length);
                assertTrue(graph.get(1).nextToken() >= 0);
                assertEquals(2, graph.get(2).sampledTokens().length);
                assertArrayEquals(eager.get(step).get(0).sampledTokens(), graph.get(0).sampledTokens());
                assertEquals(eager.get(step).get(1).nextToken(), graph.get(1).nextToken());
                assertArrayEquals(eager.get(step).get(2).sampledTokens(), graph.get(2).sampledTokens());
            }
        }
    }

    private static List<List<ChunkResult>> threeVerificationSteps(CudaBackend backend, String model) {
        int[] prompt = Fixtures.goldenPrompts(model).get(1).inputIds();
        SamplingParams seeded = new SamplingParams(0.9, 20, 0.95, 5);
        List<SequenceChunk> prompts = new ArrayList<>();
        for (int slot = 0; slot < 3; slot++) {
            prompts.add(new SequenceChunk(slot, 0, prompt, ChunkOutput.CACHE_ONLY));
        }
        backend.forward(prompts);
        List<List<ChunkResult>> steps = new ArrayList<>();
        for (int step = 0; step < 3; step++) {
            int at = prompt.length + 3 * step;
            steps.add(backend.forward(List.of(
                    new SequenceChunk(0, at, new int[] {prompt[step], prompt[step + 1], prompt[step + 2]},
                            new ChunkOutput.TokensAtEveryPosition(SamplingParams.GREEDY)),
                    new SequenceChunk(1, prompt.length + step, new int[] {prompt[step]},
                            new ChunkOutput.NextToken(seeded)),
                    new SequenceChunk(2, prompt.length + 2 * step, new int[] {prompt[step], prompt[step + 3]},
                            new ChunkOutput.TokensAtEveryPosition(seeded)))));
        }
        return steps;
    }
}
