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
    }
}
