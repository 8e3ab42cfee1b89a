package dev.aqlm.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.Fixtures;
import dev.aqlm.runtime.checkpoint.Checkpoint;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.engine.GenerationRequest;
import dev.aqlm.runtime.engine.GenerationResult;
import dev.aqlm.runtime.engine.SamplingParams;
import dev.aqlm.runtime.engine.Scheduler;
import dev.aqlm.runtime.engine.Speculation;
import dev.aqlm.runtime.model.ModelWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Speculative verification steps on CUDA replay captured graphs: once the prompts are in, every step of a batch that
 * mixes prompt-lookup and plain sequences (greedy and seeded) is a graph step, each (bucket, width) shape is captured
 * once and replayed, and with graphs off the same steps run eagerly and give the same tokens.
 */
@Tag("gpu")
class CudaVerificationGraphTest {
    private static final int NEW_TOKENS = 12;

    private static List<GenerationRequest> requests(String model) {
        List<GenerationRequest> requests = new ArrayList<>();
        List<Fixtures.GoldenPrompt> prompts = Fixtures.goldenPrompts(model);
        for (int i = 0; i < 4; i++) {
            int[] ids = prompts.get(i % prompts.size()).inputIds();
            int[] twice = new int[ids.length * 2]; // prompt lookup finds n-grams to copy
            System.arraycopy(ids, 0, twice, 0, ids.length);
            System.arraycopy(ids, 0, twice, ids.length, ids.length);
            SamplingParams sampling = i % 2 == 0 ? SamplingParams.GREEDY : new SamplingParams(0.9, 20, 0.95, 40 + i);
            Speculation speculation = i < 3 ? new Speculation.PromptLookup(4, 1) : Speculation.NONE;
            requests.add(new GenerationRequest("r" + i, twice, sampling, NEW_TOKENS, Set.of(), List.of(), null, false,
                    speculation));
        }
        return requests;
    }

    private static List<int[]> run(CudaBackend backend, List<GenerationRequest> requests) {
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
    @ValueSource(strings = {"llama-tiny-aqlm-2x8", "mixtral-tiny-aqlm-2x8"})
    void verificationStepsReplayCapturedGraphs(String model) {
        GpuTests.requireDevice();
        EngineOptions options = EngineOptions.DEFAULTS.withBackend(EngineOptions.BackendKind.CUDA).withSlots(4)
                .withContextLength(128);
        try (Checkpoint checkpoint = Checkpoint.open(Fixtures.model(model))) {
            ModelWeights weights = CudaBackendFixtureTest.load(checkpoint, model);
            List<int[]> withGraphs;
            List<int[]> eager;
            try (CudaBackend backend = CudaBackend.open(weights, options)) {
                withGraphs = run(backend, requests(model));
                GraphCounts counts = backend.graphCounts();
                assertEquals(1, counts.eagerPasses(), "only the prompts' pass runs eagerly");
                int verificationShapes = 0;
                int verificationLaunches = 0;
                for (GraphStep.Shape shape : counts.shapes()) {
                    assertEquals(1, counts.captures(shape), shape + " is captured once");
                    assertEquals(0, counts.eagerSteps(shape), shape.toString());
                    if (shape.width() > 1) {
                        verificationShapes++;
                        verificationLaunches += counts.launches(shape);
                    }
                }
                assertTrue(verificationShapes > 0, "verification steps ran as graphs: " + counts.shapes());
                assertTrue(verificationLaunches > verificationShapes, "a verification graph was replayed");
            }
            try (CudaBackend backend = CudaBackend.open(weights, options.withCudaGraphs(false))) {
                eager = run(backend, requests(model));
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
}
