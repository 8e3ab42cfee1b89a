package dev.aqlm.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TokenSamplerTest {
    private static final float[] LOGITS = {1.0f, 3.0f, 3.0f, 0.5f, 2.0f};

    @Test
    void greedyTakesTheLowestIdAmongEqualMaxima() {
        assertEquals(1, TokenSampler.sample(LOGITS, 0, LOGITS.length, SamplingParams.GREEDY, 0));
    }

    @Test
    void topKOfOneIsGreedyAndTinyTopPIsGreedy() {
        for (int position = 0; position < 50; position++) {
            assertEquals(1, TokenSampler.sample(LOGITS, 0, 5, new SamplingParams(1.0, 1, 1.0, position), position));
            assertEquals(1, TokenSampler.sample(LOGITS, 0, 5, new SamplingParams(1.0, 0, 1e-6, position), position));
        }
    }

    @Test
    void samplesFollowTheTemperatureSoftmax() {
        int draws = 20000;
        int[] counts = new int[5];
        for (int position = 0; position < draws; position++) {
            counts[TokenSampler.sample(LOGITS, 0, 5, new SamplingParams(1.0, 0, 1.0, 99), position)]++;
        }
        double total = 0;
        for (float logit : LOGITS) {
            total += Math.exp(logit);
        }
        for (int i = 0; i < 5; i++) {
            double expected = Math.exp(LOGITS[i]) / total;
            // 20000 draws: a standard error under 0.0036; five of them is a deterministic, generous bound.
            assertThat((double) counts[i] / draws).as("token " + i).isCloseTo(expected, org.assertj.core.api.Assertions.within(0.018));
        }
    }

    @Test
    void topKNeverDrawsOutsideTheKMostLikely() {
        for (int position = 0; position < 2000; position++) {
            int token = TokenSampler.sample(LOGITS, 0, 5, new SamplingParams(2.0, 3, 1.0, 5), position);
            assertThat(token).isIn(1, 2, 4);
        }
    }

    @Test
    void minPKeepsTheTokensAtLeastThatFractionAsLikelyAsTheMostLikely() {
        // At temperature 1 the tokens' probabilities over the maximum's are 1, 1, e^-1 = 0.37, e^-2 = 0.14 and
        // e^-2.5 = 0.08: min_p 0.2 keeps tokens 1, 2 and 4; min_p 0.5 keeps 1 and 2.
        assertThat(drawn(new SamplingParams(1.0, 0, 1.0, 0.2, 11))).containsExactlyInAnyOrder(1, 2, 4);
        assertThat(drawn(new SamplingParams(1.0, 0, 1.0, 0.5, 11))).containsExactlyInAnyOrder(1, 2);
    }

    @Test
    void minPComesAfterTheTemperature() {
        // At temperature 4 the ratios are 1, 1, e^-0.25 = 0.78, e^-0.5 = 0.61 (token 0) and e^-0.625 = 0.54 (token 3):
        // min_p 0.55 keeps all but token 3; applied before the temperature it would keep tokens 1 and 2 only.
        assertThat(drawn(new SamplingParams(4.0, 0, 1.0, 0.55, 11))).containsExactlyInAnyOrder(0, 1, 2, 4);
    }

    /** The tokens drawn at 4000 positions: with these logits each kept token is drawn many times. */
    private static java.util.Set<Integer> drawn(SamplingParams params) {
        java.util.Set<Integer> tokens = new java.util.TreeSet<>();
        for (int position = 0; position < 4000; position++) {
            tokens.add(TokenSampler.sample(LOGITS, 0, LOGITS.length, params, position));
        }
        return tokens;
    }

    @Test
    void theRandomNumberDependsOnlyOnSeedAndPosition() {
        assertEquals(SamplingRandom.uniform(7, 3), SamplingRandom.uniform(7, 3));
        assertThat(SamplingRandom.uniform(7, 3)).isNotEqualTo(SamplingRandom.uniform(7, 4)).isBetween(0.0, 1.0);
        assertThat(SamplingRandom.seedFor(1, "row-1")).isNotEqualTo(SamplingRandom.seedFor(1, "row-2"))
                .isNotEqualTo(SamplingRandom.seedFor(2, "row-1")).isEqualTo(SamplingRandom.seedFor(1, "row-1"));
    }

    @Test
    void invalidOptionsAreRejectedByName() {
        assertThat(assertThrows(InvalidRequestException.class, () -> new SamplingParams(-1, 0, 1, 0)).getMessage())
                .contains("temperature");
        assertThat(assertThrows(InvalidRequestException.class, () -> new SamplingParams(1, 0, 0, 0)).getMessage())
                .contains("top_p");
        assertThat(assertThrows(InvalidRequestException.class, () -> new SamplingParams(1, -2, 1, 0)).getMessage())
                .contains("top_k");
        assertThat(assertThrows(InvalidRequestException.class, () -> new SamplingParams(1, 0, 1, 1.5, 0)).getMessage())
                .contains("min_p must be in [0, 1]");
    }
}
