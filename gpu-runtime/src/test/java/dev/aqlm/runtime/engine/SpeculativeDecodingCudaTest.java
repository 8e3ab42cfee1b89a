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
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Speculation on the CUDA backend: a verification chunk samples on the device at every position, and once the
 * prompts are in, a step of verification chunks and plain decodes is one captured graph (or, with graphs off, the
 * same launches run eagerly). Tokens must equal plain decoding's, greedy and seeded, with plain and speculating
 * sequences in one batch, and a seeded sequence's tokens must not depend on what shares its batch.
 */
@Tag("gpu")
class SpeculativeDecodingCudaTest {
    private static final int NEW_TOKENS = 16;
    private static final SamplingParams HOT = new SamplingParams(0.9, 40, 0.95, 7);

    static Stream<Arguments> modelsWithGraphsOnAndOff() {
        return Fixtures.modelNames().stream().flatMap(model -> Stream.of(Arguments.of(model, true),
                Arguments.of(model, false)));
    }

    private static EngineOptions cuda(boolean graphs) {
        return EngineOptions.DEFAULTS.withBackend(EngineOptions.BackendKind.CUDA).withSlots(4).withContextLength(96)
                .withCudaGraphs(graphs);
    }

    /** Per prompt, one request per way of decoding (id "prompt/way"), all to run in one batch. */
    private static List<GenerationRequest> requests(List<int[]> prompts, List<Speculation> ways,
                                                    SamplingParams sampling) {
        List<GenerationRequest> requests = new ArrayList<>();
        for (int p = 0; p < prompts.size(); p++) {
            for (int w = 0; w < ways.size(); w++) {
                requests.add(new GenerationRequest(p + "/" + w, prompts.get(p), sampling.withSeed(sampling.seed() + p),
                        NEW_TOKENS, Set.of(), List.of(), null, false, ways.get(w)));
            }
        }
        return requests;
    }

    @ParameterizedTest
    @MethodSource("modelsWithGraphsOnAndOff")
    void greedyWithSpeculationEqualsPlainGreedyOnCuda(String model, boolean graphs) {
        GpuTests.requireDevice();
        List<Speculation> ways = List.of(Speculation.NONE, new Speculation.PromptLookup(4, 2),
                new Speculation.Assistant(Fixtures.model(model).toString(), 3));
        try (LanguageModel languageModel = LanguageModel.load(Fixtures.model(model), cuda(graphs))) {
            List<int[]> prompts = Fixtures.goldenPromptsTwice(model);
            List<GenerationResult> results = languageModel.generateRequests(requests(prompts, ways,
                    SamplingParams.GREEDY));
            int selfDrafted = 0;
            int selfAccepted = 0;
            for (int p = 0; p < prompts.size(); p++) {
                selfDrafted += results.get(p * ways.size() + 2).speculation().drafted();
                selfAccepted += results.get(p * ways.size() + 2).speculation().accepted();
                for (int w = 1; w < ways.size(); w++) {
                    assertArrayEquals(results.get(p * ways.size()).completionTokens(),
                            results.get(p * ways.size() + w).completionTokens(),
                            model + " prompt " + p + " " + ways.get(w).describe() + " on CUDA, graphs " + graphs);
                }
            }
            // Verification ran (the model drafts for itself), and its prefill-kernel rows agreed with the decode
            // kernel's argmax on every draft: the two may differ in rounding, not where it would change a token here.
            assertTrue(selfDrafted > 0, model + ": no drafts were verified");
            assertEquals(selfDrafted, selfAccepted, model + ": a self-draft was rejected on CUDA");
        }
    }

    /**
     * With a 4-bit KV cache (groups of 8, a window of 8, so drafts and rollbacks cross packed blocks): verification
     * steps pack blocks inside their graphs and rejected drafts rewind over packed positions, and greedy tokens still
     * equal plain greedy decoding's with the same cache.
     */
    @ParameterizedTest
    @ValueSource(strings = {"llama-tiny-fp16", "llama-tiny-aqlm-2x8"})
    void greedyWithSpeculationEqualsPlainGreedyOverAQuantizedCache(String model) {
        GpuTests.requireDevice();
        List<Speculation> ways = List.of(Speculation.NONE, new Speculation.PromptLookup(4, 1),
                new Speculation.Assistant(Fixtures.model("llama-tiny-aqlm-2x8").toString(), 3));
        EngineOptions options = cuda(true).withKvCache(new KvCacheFormat(4, 8, 8));
        try (LanguageModel languageModel = LanguageModel.load(Fixtures.model(model), options)) {
            List<int[]> prompts = Fixtures.goldenPromptsTwice(model);
            List<GenerationResult> results = languageModel.generateRequests(requests(prompts, ways,
                    SamplingParams.GREEDY));
            SpeculationCounts speculated = SpeculationCounts.NONE;
            for (int p = 0; p < prompts.size(); p++) {
                for (int w = 1; w < ways.size(); w++) {
                    speculated = speculated.plus(results.get(p * ways.size() + w).speculation());
                    assertArrayEquals(results.get(p * ways.size()).completionTokens(),
                            results.get(p * ways.size() + w).completionTokens(),
                            model + " prompt " + p + " " + ways.get(w).describe() + ", 4-bit KV cache on CUDA");
                }
            }
            assertTrue(speculated.drafted() > speculated.accepted(), model + ": no draft was rejected, so no rewind"
                    + " over the packed cache was tested (" + speculated.drafted() + " drafted)");
        }
    }

    /**
     * Seeded sampling: each speculating request gives plain decoding's tokens in a batch shared with plain and other
     * speculating sequences, and (checked for the longest prompt) the same tokens again when it runs alone: a batch of
     * one, another graph bucket, no neighbours.
     */
    @ParameterizedTest
    @ValueSource(strings = {"llama-tiny-aqlm-2x8", "mixtral-tiny-aqlm-2x8"})
    void seededSpeculationOnCudaEqualsPlainSamplingWhateverSharesTheBatch(String model) {
        GpuTests.requireDevice();
        List<Speculation> ways = List.of(Speculation.NONE, new Speculation.PromptLookup(4, 1),
                new Speculation.Assistant(Fixtures.model("llama-tiny-aqlm-2x8").toString(), 3));
        try (LanguageModel languageModel = LanguageModel.load(Fixtures.model(model), cuda(true))) {
            List<int[]> prompts = Fixtures.goldenPromptsTwice(model);
            List<GenerationRequest> requests = requests(prompts, ways, HOT);
            List<GenerationResult> together = languageModel.generateRequests(requests);
            SpeculationCounts speculated = SpeculationCounts.NONE;
            for (int p = 0; p < prompts.size(); p++) {
                int[] plain = together.get(p * ways.size()).completionTokens();
                assertEquals(NEW_TOKENS, plain.length);
                for (int w = 1; w < ways.size(); w++) {
                    GenerationRequest request = requests.get(p * ways.size() + w);
                    GenerationResult shared = together.get(p * ways.size() + w);
                    speculated = speculated.plus(shared.speculation());
                    assertArrayEquals(plain, shared.completionTokens(),
                            model + " prompt " + p + " " + ways.get(w).describe() + ": seeded, in a shared batch");
                    if (p == prompts.size() - 1) { // alone costs a run per request on the emulator: the longest prompt
                        int[] alone = languageModel.generateRequests(List.of(request)).get(0).completionTokens();
                        assertArrayEquals(plain, alone, model + " prompt " + p + " " + ways.get(w).describe() + " alone");
                    }
                }
            }
            assertTrue(speculated.drafted() > 0, model + ": no drafts were verified");
        }
    }
}
