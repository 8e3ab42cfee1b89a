package dev.aqlm.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aqlm.runtime.Fixtures;
import dev.aqlm.runtime.LanguageModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Speculation never changes the tokens: on every fixture model, greedy and seeded sampling with prompt lookup and
 * with an assistant give exactly what plain decoding gives, with plain and speculating sequences in one batch.
 */
class SpeculativeDecodingTest {
    private static final int NEW_TOKENS = 24;
    private static final SamplingParams HOT = new SamplingParams(0.9, 40, 0.95, 7);

    static List<String> models() {
        return Fixtures.modelNames();
    }

    /** A different checkpoint with the same tokenizer where the fixtures have one, else the model drafts for itself. */
    private static String assistantFor(String model) {
        return model.equals("llama-mistraltok-aqlm-2x8") ? model : "llama-tiny-aqlm-2x8";
    }

    private static LanguageModel load(String model) {
        return LanguageModel.load(Fixtures.model(model), EngineOptions.cpu().withSlots(6).withContextLength(128)
                .withMaxPrefillTokens(16));
    }

    /** Per prompt, one request per way of decoding (id "prompt/way"), all to run in one batch. */
    private static List<GenerationRequest> requests(List<int[]> prompts, List<Speculation> ways,
                                                    SamplingParams sampling) {
        List<GenerationRequest> requests = new ArrayList<>();
        for (int p = 0; p < prompts.size(); p++) {
            for (int w = 0; w < ways.size(); w++) {
                requests.add(new GenerationRequest(p + "/" + w, prompts.get(p), sampling, NEW_TOKENS, Set.of(),
                        List.of(), null, false, ways.get(w)));
            }
        }
        return requests;
    }

    @ParameterizedTest
    @MethodSource("models")
    void greedyAndSeededSamplingWithSpeculationEqualPlainDecoding(String model) {
        List<Speculation> ways = List.of(Speculation.NONE, new Speculation.PromptLookup(4, 2),
                new Speculation.Assistant(Fixtures.model(assistantFor(model)).toString(), 3));
        try (LanguageModel languageModel = load(model)) {
            List<int[]> prompts = Fixtures.goldenPromptsTwice(model);
            for (SamplingParams sampling : List.of(SamplingParams.GREEDY, HOT)) {
                List<GenerationResult> results = languageModel.generateRequests(requests(prompts, ways, sampling));
                SpeculationCounts lookup = SpeculationCounts.NONE;
                SpeculationCounts assistant = SpeculationCounts.NONE;
                for (int p = 0; p < prompts.size(); p++) {
                    GenerationResult plain = results.get(p * ways.size());
                    assertEquals(NEW_TOKENS, plain.completionTokens().length);
                    assertEquals(NEW_TOKENS, plain.speculation().forwardPasses(), "plain decoding: one token per pass");
                    for (int w = 1; w < ways.size(); w++) {
                        GenerationResult speculated = results.get(p * ways.size() + w);
                        assertArrayEquals(plain.completionTokens(), speculated.completionTokens(),
                                model + " prompt " + p + " " + ways.get(w).describe() + " " + sampling);
                    }
                    lookup = lookup.plus(results.get(p * ways.size() + 1).speculation());
                    assistant = assistant.plus(results.get(p * ways.size() + 2).speculation());
                }
                assertThat(lookup.drafted()).as("prompt lookup found drafts to verify").isPositive();
                assertThat(assistant.drafted()).isPositive();
                if (assistantFor(model).equals(model) && sampling.isGreedy()) {
                    // A model drafting greedily for itself is always right: the mechanical ceiling.
                    assertEquals(assistant.drafted(), assistant.accepted());
                    assertThat(assistant.forwardPasses()).isLessThan(prompts.size() * NEW_TOKENS / 3);
                }
            }
        }
    }

    /**
     * Over a 4-bit KV cache with groups of 8 and a window of 8, drafts and their rollbacks cross packed blocks; the ring
     * keeps room for a verification chunk, so a rejected draft takes no ring place that a later query reads, nothing
     * is restored from codes, and the tokens are still plain decoding's over the same cache.
     */
    @ParameterizedTest
    @ValueSource(strings = {"llama-tiny-fp16", "mixtral-tiny-aqlm-2x8"})
    void speculationOverAQuantizedCacheEqualsPlainDecoding(String model) {
        List<Speculation> ways = List.of(Speculation.NONE, new Speculation.PromptLookup(6, 1),
                new Speculation.Assistant(Fixtures.model("llama-tiny-aqlm-2x8").toString(), 5));
        EngineOptions options = EngineOptions.cpu().withSlots(6).withContextLength(128)
                .withKvCache(new KvCacheFormat(4, 8, 8));
        try (LanguageModel languageModel = LanguageModel.load(Fixtures.model(model), options)) {
            List<int[]> prompts = Fixtures.goldenPromptsTwice(model);
            for (SamplingParams sampling : List.of(SamplingParams.GREEDY, HOT)) {
                List<GenerationResult> results = languageModel.generateRequests(requests(prompts, ways, sampling));
                SpeculationCounts speculated = SpeculationCounts.NONE;
                for (int p = 0; p < prompts.size(); p++) {
                    for (int w = 1; w < ways.size(); w++) {
                        speculated = speculated.plus(results.get(p * ways.size() + w).speculation());
                        assertArrayEquals(results.get(p * ways.size()).completionTokens(),
                                results.get(p * ways.size() + w).completionTokens(),
                                model + " prompt " + p + " " + ways.get(w).describe() + " " + sampling + ", 4-bit KV");
                    }
                }
                assertThat(speculated.drafted() - speculated.accepted()).as("rejected drafts (rollbacks)").isPositive();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void seededSpeculativeRunsRepeat(String model) {
        try (LanguageModel languageModel = load(model)) {
            int[] prompt = Fixtures.goldenPromptsTwice(model).get(0);
            GenerationRequest request = new GenerationRequest("r", prompt, HOT.withSeed(99), NEW_TOKENS, Set.of(),
                    List.of(), null, false, new Speculation.PromptLookup(3, 1));
            int[] first = languageModel.generateRequests(List.of(request)).get(0).completionTokens();
            int[] second = languageModel.generateRequests(List.of(request)).get(0).completionTokens();
            assertArrayEquals(first, second);
        }
    }
}
