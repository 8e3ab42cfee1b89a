package dev.aqlm.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aqlm.runtime.Fixtures;
import dev.aqlm.runtime.LanguageModel;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Opt-in left truncation of over-long prompts, on a fixture model with a real (Mistral) tokenizer that adds BOS. */
class PromptTruncationTest {
    private static final int CONTEXT = 64;
    private static final int NEW_TOKENS = 12;
    private static final String LONG_PROMPT = "the quick brown fox jumps over the lazy dog, ".repeat(12);
    private static LanguageModel model;

    @BeforeAll
    static void load() {
        model = LanguageModel.load(Fixtures.model("llama-mistraltok-aqlm-2x8"),
                EngineOptions.cpu().withSlots(2).withContextLength(CONTEXT));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static GenerationSettings greedy(int maxNewTokens) {
        return GenerationSettings.greedy(maxNewTokens).withStopAtEos(false);
    }

    @Test
    void overLongPromptKeepsBosAndItsLastTokensAndGeneratesAsThatPromptWould() {
        int[] full = model.tokenizer().encode(LONG_PROMPT);
        int bos = model.tokenizer().bosTokenId();
        assertEquals(bos, full[0], "the fixture's tokenizer adds BOS");
        assertThat(full.length).isGreaterThan(CONTEXT);

        GenerationResult truncated = model.generate(LONG_PROMPT, greedy(NEW_TOKENS).withPromptTruncation(true));

        int kept = CONTEXT - NEW_TOKENS - 1;
        int[] explicit = new int[1 + kept];
        explicit[0] = bos;
        System.arraycopy(full, full.length - kept, explicit, 1, kept);
        GenerationResult reference = model.generateRequests(List.of(
                model.request("explicit", explicit, greedy(NEW_TOKENS)))).get(0);
        assertThat(truncated.failed()).isFalse();
        assertEquals(full.length - explicit.length, truncated.truncatedPromptTokens());
        assertArrayEquals(explicit, truncated.promptTokens(), "the prompt the model saw");
        assertArrayEquals(reference.completionTokens(), truncated.completionTokens());
        assertEquals(NEW_TOKENS, truncated.completionTokens().length);
        assertEquals(0, reference.truncatedPromptTokens());
    }

    @Test
    void withoutTheOptionAnOverLongPromptIsStillAnErrorRow() {
        GenerationResult result = model.generate(LONG_PROMPT, greedy(NEW_TOKENS));
        assertThat(result.error()).contains("does not fit the context window of " + CONTEXT)
                .contains("--truncate-prompts");
    }

    @Test
    void withoutTheOptionAPromptThatFitsStillStopsAtTheContextLimit() {
        int[] prompt = Arrays.copyOf(model.tokenizer().encode(LONG_PROMPT), CONTEXT - 4);
        GenerationResult result = model.generateRequests(List.of(model.request("r", prompt, greedy(NEW_TOKENS))))
                .get(0);
        assertEquals(FinishReason.CONTEXT_FULL, result.finishReason());
        assertEquals(0, result.truncatedPromptTokens());
    }

    @Test
    void promptThatFitsButLeavesTooLittleRoomIsTruncatedToLeaveRoomForMaxNewTokens() {
        int[] prompt = Arrays.copyOf(model.tokenizer().encode(LONG_PROMPT), CONTEXT - 4);
        GenerationResult result = model.generateRequests(List.of(
                model.request("r", prompt, greedy(NEW_TOKENS).withPromptTruncation(true)))).get(0);
        assertEquals(NEW_TOKENS - 4, result.truncatedPromptTokens());
        assertEquals(FinishReason.LENGTH, result.finishReason());
        assertEquals(NEW_TOKENS, result.completionTokens().length);
    }

    @Test
    void promptWithoutBosKeepsOnlyItsLastTokens() {
        int[] full = model.tokenizer().encode(LONG_PROMPT, false);
        GenerationResult result = model.generateRequests(List.of(
                model.request("r", full, greedy(NEW_TOKENS).withPromptTruncation(true)))).get(0);
        assertArrayEquals(Arrays.copyOfRange(full, full.length - (CONTEXT - NEW_TOKENS), full.length),
                result.promptTokens());
        assertEquals(full.length - (CONTEXT - NEW_TOKENS), result.truncatedPromptTokens());
    }

    @Test
    void maxNewTokensThatLeavesNoRoomForThePromptIsAnErrorSayingWhatToLower() {
        for (int maxNewTokens : new int[] {CONTEXT - 1, CONTEXT, CONTEXT + 100}) {
            GenerationResult result = model.generate(LONG_PROMPT, greedy(maxNewTokens).withPromptTruncation(true));
            assertThat(result.error()).as("max_new_tokens " + maxNewTokens)
                    .contains("max_new_tokens of " + maxNewTokens)
                    .contains("lower max_new_tokens to at most " + (CONTEXT - 2));
            assertEquals(FinishReason.ERROR, result.finishReason());
        }
    }
}
