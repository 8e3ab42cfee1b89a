package dev.aqlm.runtime.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.Fixtures;
import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.engine.EngineOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Deduplication, prefix sharing, batching across slots and cutting chunks to a token budget change what is
 * computed, never the numbers: each request scored alone (its own call, from position 0, nothing shared) must give
 * the same log-likelihood. Tolerance 1e-5: the fp32 rows attend over the same cached keys/values, but the batch
 * shape can pick a different matrix kernel (summation order), about 1e-7 relative per token.
 */
class SharedPrefixScoringTest {
    private static final double SAME = 1e-5;
    private static final int MAX_LENGTH = 24;
    private static LanguageModel fourSlots;
    private static LanguageModel oneSlot;

    @BeforeAll
    static void loadModels() {
        EngineOptions options = EngineOptions.cpu().withContextLength(32).withCpuThreads(2);
        fourSlots = LanguageModel.load(Fixtures.model("llama-mistraltok-aqlm-2x8"), options.withSlots(4));
        oneSlot = LanguageModel.load(Fixtures.model("llama-mistraltok-aqlm-2x8"), options.withSlots(1));
    }

    @AfterAll
    static void closeModels() {
        fourSlots.close();
        oneSlot.close();
    }

    /** Choices sharing a context, a duplicate, one-token choices, an over-long context, an empty context. */
    static List<LoglikelihoodRequest> requests() {
        List<LoglikelihoodRequest> requests = new ArrayList<>();
        String question = "Question: Which gas do plants take in from the air?\nAnswer:";
        for (String choice : List.of(" oxygen", " carbon dioxide", " helium", " neon", " oxygen")) {
            requests.add(new LoglikelihoodRequest(question, choice));
        }
        String passage = "Water is a liquid that makes things wet.\nQuestion: is water wet?\nAnswer:";
        requests.add(new LoglikelihoodRequest(passage, " no"));
        requests.add(new LoglikelihoodRequest(passage, " yes"));
        String longContext = "The quick brown fox jumps over the lazy dog while the farmer watches from a distance"
                + " and wonders why the dog never moves when the fox comes by";
        requests.add(new LoglikelihoodRequest(longContext, " every single day."));
        requests.add(new LoglikelihoodRequest(longContext, " at night."));
        requests.add(new LoglikelihoodRequest("", " Hello world"));
        return requests;
    }

    @Test
    void sharedAndBatchedScoringEqualsScoringEachRequestAlone() {
        for (ScoringRules rules : ScoringRules.values()) {
            List<LoglikelihoodRequest> requests = requests();
            Scorer shared = fourSlots.scorer(ScoringSettings.of(rules, MAX_LENGTH));
            List<Loglikelihood> together = shared.loglikelihood(requests);
            for (int i = 0; i < requests.size(); i++) {
                Loglikelihood alone = oneSlot.scorer(ScoringSettings.of(rules, MAX_LENGTH))
                        .loglikelihood(List.of(requests.get(i))).get(0);
                assertEquals(alone.logLikelihood(), together.get(i).logLikelihood(), SAME, requests.get(i).toString());
                assertEquals(alone.isGreedy(), together.get(i).isGreedy());
            }
            ScoringStats stats = shared.stats();
            assertEquals(requests.size() - 1, stats.distinctInputs(), "the repeated ' oxygen' request runs once");
            assertTrue(stats.computedTokens() < stats.requestedTokens() * 0.6,
                    "shared contexts are computed once: " + stats);
        }
    }

    @Test
    void choicesSharingAContextComputeItOnce() {
        Scorer scorer = fourSlots.scorer(ScoringSettings.of(ScoringRules.CURRENT, MAX_LENGTH));
        List<LoglikelihoodRequest> choices = requests().subList(0, 4);
        scorer.loglikelihood(choices);
        TokenizedRequest first = scorer.encoder().encode(choices.get(0));
        long expected = first.context().length - 1;
        for (LoglikelihoodRequest choice : choices) {
            TokenizedRequest tokens = scorer.encoder().encode(choice);
            assertEquals(first.context().length, tokens.context().length);
            // Each choice runs the last context token (its logits predict the first answer token) and its own tokens
            // but the last.
            expected += tokens.continuation().length;
        }
        assertEquals(expected, scorer.stats().computedTokens());
        assertEquals(choices.size(), scorer.stats().forwardPasses(), "one slot works through the group in turn");
    }

    @Test
    void tinyTokenBudgetCutsChunksWithoutChangingScores() {
        List<LoglikelihoodRequest> requests = requests();
        List<Loglikelihood> wide = fourSlots.scorer(ScoringSettings.of(ScoringRules.CURRENT, MAX_LENGTH))
                .loglikelihood(requests);
        Scorer narrow = fourSlots.scorer(new ScoringSettings(ScoringRules.CURRENT, MAX_LENGTH, 3));
        List<Loglikelihood> cut = narrow.loglikelihood(requests);
        for (int i = 0; i < requests.size(); i++) {
            assertEquals(wide.get(i).logLikelihood(), cut.get(i).logLikelihood(), SAME, requests.get(i).toString());
            assertEquals(wide.get(i).isGreedy(), cut.get(i).isGreedy());
        }
        assertTrue(narrow.stats().forwardPasses() > 3L * requests.size() / 4);
    }

    @Test
    void truncatedRequestsScoreTheirLastMaxLengthTokens() {
        Scorer scorer = fourSlots.scorer(ScoringSettings.of(ScoringRules.V0_4_0, MAX_LENGTH));
        LoglikelihoodRequest request = requests().get(7);
        TokenizedRequest tokens = scorer.encoder().encode(request);
        assertTrue(tokens.length() > MAX_LENGTH + 1, "the fixture request must be long enough to be truncated");
        int[] whole = RequestEncoderTest.concat(tokens.context(), tokens.continuation());
        int keepFrom = whole.length - (MAX_LENGTH + 1);
        int contextKept = tokens.context().length - keepFrom;
        TokenizedRequest cut = new TokenizedRequest(java.util.Arrays.copyOfRange(tokens.context(), keepFrom,
                tokens.context().length), tokens.continuation());
        assertTrue(contextKept > 0);
        assertEquals(scorer.score(List.of(cut)).get(0).logLikelihood(),
                scorer.score(List.of(tokens)).get(0).logLikelihood(), SAME);
    }

    @Test
    void emptyContinuationScoresZeroAndGreedyWithoutRunningTheModel() {
        Scorer scorer = fourSlots.scorer(ScoringSettings.of(ScoringRules.CURRENT, MAX_LENGTH));
        assertEquals(Loglikelihood.EMPTY, scorer.score(List.of(new TokenizedRequest(new int[] {1}, new int[0]))).get(0));
        assertEquals(0, scorer.stats().forwardPasses());
    }
}
