package dev.aqlm.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.Fixtures;
import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.cuda.GpuTests;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Speculation on the CUDA backend: the verification pass is an all-logits chunk (the prefill path, not the captured
 * decode graph), and greedy tokens must still equal plain greedy decoding's, with plain and speculating sequences in
 * one batch.
 */
@Tag("gpu")
class SpeculativeDecodingCudaTest {
    private static final int NEW_TOKENS = 16;

    static List<String> models() {
        return Fixtures.modelNames();
    }

    @ParameterizedTest
    @MethodSource("models")
    void greedyWithSpeculationEqualsPlainGreedyOnCuda(String model) {
        GpuTests.requireDevice();
        EngineOptions options = EngineOptions.DEFAULTS.withBackend(EngineOptions.BackendKind.CUDA).withSlots(4)
                .withContextLength(96);
        List<Speculation> ways = List.of(Speculation.NONE, new Speculation.PromptLookup(4, 2),
                new Speculation.Assistant(Fixtures.model(model).toString(), 3));
        try (LanguageModel languageModel = LanguageModel.load(Fixtures.model(model), options)) {
            List<GenerationRequest> requests = new ArrayList<>();
            List<Fixtures.GoldenPrompt> prompts = Fixtures.goldenPrompts(model);
            for (Fixtures.GoldenPrompt prompt : prompts) {
                int[] ids = prompt.inputIds();
                int[] twice = new int[ids.length * 2];
                System.arraycopy(ids, 0, twice, 0, ids.length);
                System.arraycopy(ids, 0, twice, ids.length, ids.length);
                for (int w = 0; w < ways.size(); w++) {
                    requests.add(new GenerationRequest(prompt.index() + "/" + w, twice, SamplingParams.GREEDY,
                            NEW_TOKENS, Set.of(), List.of(), null, false, ways.get(w)));
                }
            }
            List<GenerationResult> results = languageModel.generateRequests(requests);
            int selfDrafted = 0;
            int selfAccepted = 0;
            for (int p = 0; p < prompts.size(); p++) {
                selfDrafted += results.get(p * ways.size() + 2).speculation().drafted();
                selfAccepted += results.get(p * ways.size() + 2).speculation().accepted();
                for (int w = 1; w < ways.size(); w++) {
                    assertArrayEquals(results.get(p * ways.size()).completionTokens(),
                            results.get(p * ways.size() + w).completionTokens(),
                            model + " prompt " + p + " " + ways.get(w).describe() + " on CUDA");
                }
            }
            // Verification ran (the model drafts for itself), and its logits agreed with the decode graph's argmax
            // on every draft: the two paths may differ in rounding, but not where it would change a greedy token here.
            assertTrue(selfDrafted > 0, model + ": no drafts were verified");
            assertEquals(selfDrafted, selfAccepted, model + ": a self-draft was rejected on CUDA");
        }
    }
}
