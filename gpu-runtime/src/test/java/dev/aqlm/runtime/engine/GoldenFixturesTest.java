package dev.aqlm.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.Fixtures;
import dev.aqlm.runtime.LanguageModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The CPU backend against Hugging Face transformers' outputs for every fixture model (see fixtures/README.md). */
class GoldenFixturesTest {
    /** The reference ran in float64 (Mixtral: float32); an fp32 engine agrees to about 1e-6, the README allows 1e-4. */
    private static final double LOGIT_TOLERANCE = 1e-4;

    static List<String> models() {
        return Fixtures.modelNames();
    }

    private static LanguageModel load(String model) {
        return LanguageModel.load(Fixtures.model(model), EngineOptions.cpu().withSlots(4).withContextLength(64));
    }

    @ParameterizedTest
    @MethodSource("models")
    void logitsMatchHuggingFace(String model) {
        try (LanguageModel languageModel = load(model)) {
            for (Fixtures.GoldenPrompt prompt : Fixtures.goldenPrompts(model)) {
                double error = Fixtures.relativeMaxError(languageModel.logits(prompt.inputIds()), prompt.logits());
                assertTrue(error <= LOGIT_TOLERANCE,
                        model + " prompt " + prompt.index() + ": max|Δ|/max|logit| = " + error);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void greedyDecodingMatchesHuggingFace(String model) {
        try (LanguageModel languageModel = load(model)) {
            for (Fixtures.GoldenPrompt prompt : Fixtures.goldenPrompts(model)) {
                GenerationResult result = languageModel.generateRequests(List.of(GenerationRequest.greedy("p",
                        prompt.inputIds(), prompt.greedyNewTokens().length, java.util.Set.of()))).get(0);
                assertArrayEquals(prompt.greedyNewTokens(), result.completionTokens(), model + " prompt " + prompt.index());
                assertEquals(FinishReason.LENGTH, result.finishReason());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void continuousBatchingGivesTheSameTokensAsOneAtATime(String model) {
        List<Fixtures.GoldenPrompt> prompts = Fixtures.goldenPrompts(model);
        // Two slots for three prompts of different lengths: a slot is reused while the other is mid-sequence, and the
        // 4-token prefill budget splits prompts across steps that also decode.
        EngineOptions options = EngineOptions.cpu().withSlots(2).withContextLength(64).withMaxPrefillTokens(4);
        try (LanguageModel languageModel = LanguageModel.load(Fixtures.model(model), options)) {
            List<GenerationRequest> requests = new ArrayList<>();
            for (Fixtures.GoldenPrompt prompt : prompts) {
                requests.add(GenerationRequest.greedy("p" + prompt.index(), prompt.inputIds(),
                        prompt.greedyNewTokens().length + prompt.index() * 3, java.util.Set.of()));
            }
            List<GenerationResult> together = languageModel.generateRequests(requests);
            for (int i = 0; i < requests.size(); i++) {
                GenerationResult alone = languageModel.generateRequests(List.of(requests.get(i))).get(0);
                assertArrayEquals(alone.completionTokens(), together.get(i).completionTokens(), model + " prompt " + i);
                int[] golden = prompts.get(i).greedyNewTokens();
                assertArrayEquals(golden, java.util.Arrays.copyOf(together.get(i).completionTokens(), golden.length));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void batchedLogitsEqualSingleSequenceLogits(String model) {
        List<Fixtures.GoldenPrompt> prompts = Fixtures.goldenPrompts(model);
        try (LanguageModel languageModel = load(model)) {
            List<SequenceChunk> chunks = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                chunks.add(new SequenceChunk(i, 0, prompts.get(i).inputIds(), ChunkOutput.ALL_LOGITS));
            }
            List<ChunkResult> batched = languageModel.backend().forward(chunks);
            for (int i = 0; i < prompts.size(); i++) {
                float[][] alone = languageModel.logits(prompts.get(i).inputIds());
                for (int row = 0; row < alone.length; row++) {
                    // Each row is computed in the same order whatever shares its batch: bit-identical, no tolerance.
                    assertArrayEquals(alone[row], batched.get(i).logits()[row], model + " prompt " + i + " row " + row);
                }
            }
        }
    }

    @org.junit.jupiter.api.Test
    void tokenizerModelReproducesGreedyText() {
        String model = "llama-mistraltok-aqlm-2x8";
        try (LanguageModel languageModel = load(model)) {
            for (Fixtures.GoldenPrompt prompt : Fixtures.goldenPrompts(model)) {
                assertArrayEquals(prompt.inputIds(), languageModel.tokenizer().encode(prompt.text()));
                GenerationResult result = languageModel.generate(prompt.text(),
                        GenerationSettings.greedy(prompt.greedyNewTokens().length));
                assertArrayEquals(prompt.greedyNewTokens(), result.completionTokens());
                assertEquals(prompt.greedyText(), result.completion());
            }
        }
    }
}
