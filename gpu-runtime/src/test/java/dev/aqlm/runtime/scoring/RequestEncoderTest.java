package dev.aqlm.runtime.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.aqlm.runtime.Fixtures;
import dev.aqlm.runtime.tokenizer.TextTokenizer;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Request building with the Mistral tokenizer of the fixture model (BOS 1, EOS 2). */
class RequestEncoderTest {
    private static TextTokenizer tokenizer;

    @BeforeAll
    static void loadTokenizer() {
        tokenizer = TextTokenizer.load(Fixtures.model("llama-mistraltok-aqlm-2x8"));
    }

    @AfterAll
    static void closeTokenizer() {
        tokenizer.close();
    }

    @ParameterizedTest
    @EnumSource(ScoringRules.class)
    void trailingContextWhitespaceMovesToTheContinuation(ScoringRules rules) {
        RequestEncoder encoder = new RequestEncoder(tokenizer, rules);
        TokenizedRequest moved = encoder.encode(new LoglikelihoodRequest("Answer: ", "Paris"));
        TokenizedRequest asIs = encoder.encode(new LoglikelihoodRequest("Answer:", " Paris"));
        assertArrayEquals(asIs.context(), moved.context());
        assertArrayEquals(asIs.continuation(), moved.continuation());
    }

    @ParameterizedTest
    @EnumSource(ScoringRules.class)
    void continuationIsTheTailOfTheWholeStringNotEncodedAlone(ScoringRules rules) {
        RequestEncoder encoder = new RequestEncoder(tokenizer, rules);
        TokenizedRequest request = encoder.encode(new LoglikelihoodRequest("The capital of France is", " Paris"));
        int[] whole = tokenizer.encode("The capital of France is Paris", rules.addsSpecialTokens());
        assertArrayEquals(whole, concat(request.context(), request.continuation()));
        // SentencePiece alone would encode " Paris" as a standalone "▁" plus "▁Paris" (lm-eval PR #1322).
        assertNotEquals(Arrays.toString(tokenizer.encode(" Paris", false)), Arrays.toString(request.continuation()));
    }

    @Test
    void currentRulesAddBosAndV040RulesDoNot() {
        assertEquals(1, new RequestEncoder(tokenizer, ScoringRules.CURRENT).encodeDocument("hello")[0]);
        assertNotEquals(1, new RequestEncoder(tokenizer, ScoringRules.V0_4_0).encodeDocument("hello")[0]);
        assertEquals(1, new RequestEncoder(tokenizer, ScoringRules.CURRENT).prefixToken());
        assertEquals(2, new RequestEncoder(tokenizer, ScoringRules.V0_4_0).prefixToken());
    }

    @ParameterizedTest
    @EnumSource(ScoringRules.class)
    void emptyContextBecomesThePrefixToken(ScoringRules rules) {
        RequestEncoder encoder = new RequestEncoder(tokenizer, rules);
        TokenizedRequest request = encoder.encode(new LoglikelihoodRequest("", " yes"));
        assertArrayEquals(new int[] {encoder.prefixToken()}, request.context());
        assertArrayEquals(tokenizer.encode(" yes", false), request.continuation());
    }

    @Test
    void currentRulesLetAContinuationThatStartsWithBosConditionOnIt() {
        RequestEncoder current = new RequestEncoder(tokenizer, ScoringRules.CURRENT);
        int[] alone = tokenizer.encode("<s> yes", false);
        assertEquals(1, alone[0]);
        TokenizedRequest request = current.encode(new LoglikelihoodRequest("", "<s> yes"));
        assertArrayEquals(new int[] {1}, request.context());
        assertArrayEquals(Arrays.copyOfRange(alone, 1, alone.length), request.continuation());
        TokenizedRequest old = new RequestEncoder(tokenizer, ScoringRules.V0_4_0)
                .encode(new LoglikelihoodRequest("", "<s> yes"));
        assertArrayEquals(new int[] {2}, old.context());
        assertArrayEquals(alone, old.continuation());
    }

    @Test
    void textThatStartsWithBosGetsNoSecondBos() {
        int[] tokens = new RequestEncoder(tokenizer, ScoringRules.CURRENT).encodeDocument("<s>hello");
        assertEquals(1, tokens[0]);
        assertNotEquals(1, tokens[1]);
    }

    @Test
    void ruleSetsParseFromTheirLabels() {
        assertEquals(ScoringRules.V0_4_0, ScoringRules.parse("v0.4.0"));
        assertEquals(ScoringRules.CURRENT, ScoringRules.parse("current"));
    }

    static int[] concat(int[] a, int[] b) {
        int[] joined = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }
}
