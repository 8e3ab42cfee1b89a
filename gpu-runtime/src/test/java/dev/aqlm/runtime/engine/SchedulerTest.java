package dev.aqlm.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.checkpoint.DType;
import dev.aqlm.runtime.synthetic.SyntheticModelWriter;
import dev.aqlm.runtime.synthetic.SyntheticShape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stop conditions, streaming, sampling determinism and request errors, on a small synthetic AQLM model. */
class SchedulerTest {
    @TempDir
    static Path dir;
    static LanguageModel model;

    @BeforeAll
    static void writeModel() {
        new SyntheticModelWriter(SyntheticShape.SMALL, DType.F16, SyntheticModelWriter.scheme("2x8"), 42)
                .write(dir.resolve("small"));
        model = LanguageModel.load(dir.resolve("small"), EngineOptions.cpu().withSlots(3).withContextLength(48)
                .withMaxPrefillTokens(8));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static final SamplingParams HOT = new SamplingParams(1.0, 40, 0.95, 0);

    @Test
    void sampledTokensDependOnTheSeedAloneNotOnTheBatch() {
        GenerationSettings settings = GenerationSettings.greedy(20).withSampling(HOT.withSeed(11)).withStopAtEos(false);
        GenerationResult alone = model.generate("the quick brown fox", settings);
        List<GenerationRequest> crowd = new ArrayList<>();
        crowd.add(model.request("other-1", "lorem ipsum", settings.withSampling(HOT.withSeed(1))));
        crowd.add(model.request("target", "the quick brown fox", settings));
        crowd.add(model.request("other-2", "a much longer prompt than the others here", settings.withSampling(HOT.withSeed(2))));
        crowd.add(model.request("other-3", "x", settings.withSampling(HOT.withSeed(3))));
        GenerationResult inCrowd = model.generateRequests(crowd).get(1);
        assertArrayEquals(alone.completionTokens(), inCrowd.completionTokens());
        GenerationResult otherSeed = model.generate("the quick brown fox", settings.withSampling(HOT.withSeed(12)));
        assertThat(otherSeed.completionTokens()).isNotEqualTo(alone.completionTokens());
    }

    @Test
    void stopStringEndsTheCompletionJustBeforeIt() {
        GenerationSettings settings = GenerationSettings.greedy(30).withStopAtEos(false);
        String full = model.generate("hello", settings).completion();
        assertThat(full.length()).isGreaterThan(12);
        String stop = full.substring(6, 9);
        GenerationResult stopped = model.generate("hello", settings.withStopStrings(List.of("zzzzzz", stop)));
        assertEquals(FinishReason.STOP_STRING, stopped.finishReason());
        assertEquals(full.substring(0, full.indexOf(stop)), stopped.completion());
    }

    @Test
    void streamedTextConcatenatesToTheCompletion() {
        for (List<String> stops : List.of(List.<String>of(), List.of("qq", "b a"))) {
            StringBuilder streamed = new StringBuilder();
            GenerationSettings settings = GenerationSettings.greedy(25).withStopAtEos(false).withStopStrings(stops)
                    .withListener((id, token, text) -> streamed.append(text));
            GenerationResult result = model.generate("stream me", settings);
            assertEquals(result.completion(), streamed.toString(), "stops " + stops);
        }
    }

    @Test
    void endOfSequenceTokenEndsTheSequence() {
        GenerationResult free = model.generate("hello", GenerationSettings.greedy(10).withStopAtEos(false));
        int third = free.completionTokens()[2];
        int[] prompt = model.tokenizer().encode("hello");
        GenerationResult stopped = model.generateRequests(List.of(GenerationRequest.greedy("r", prompt, 10,
                Set.of(third)))).get(0);
        assertEquals(FinishReason.EOS, stopped.finishReason());
        int firstAt = indexOf(free.completionTokens(), third);
        assertArrayEquals(java.util.Arrays.copyOf(free.completionTokens(), firstAt + 1), stopped.completionTokens());
    }

    @Test
    void sequenceThatFillsItsContextStopsWithContextFull() {
        int[] prompt = model.tokenizer().encode("abc def ghi");
        GenerationResult result = model.generateRequests(List.of(GenerationRequest.greedy("r", prompt, 1000,
                Set.of()))).get(0);
        assertEquals(FinishReason.CONTEXT_FULL, result.finishReason());
        assertEquals(48 - prompt.length + 1, result.completionTokens().length); // the last token needs no position
    }

    @Test
    void requestsThatCannotRunComeBackAsErrorsWithoutStoppingOthers() {
        int[] tooLong = new int[49];
        List<GenerationResult> results = model.generateRequests(List.of(
                GenerationRequest.greedy("long", tooLong, 5, Set.of()),
                GenerationRequest.greedy("empty", new int[0], 5, Set.of()),
                GenerationRequest.greedy("fine", model.tokenizer().encode("ok"), 5, Set.of()),
                GenerationRequest.greedy("none", model.tokenizer().encode("ok"), 0, Set.of())));
        assertThat(results.get(0).error()).contains("49 tokens does not fit the context window of 48");
        assertThat(results.get(1).error()).contains("empty prompt");
        assertThat(results.get(2).failed()).isFalse();
        assertEquals(5, results.get(2).completionTokens().length);
        assertEquals(FinishReason.LENGTH, results.get(3).finishReason());
        assertEquals(0, results.get(3).completionTokens().length);
    }

    private static int indexOf(int[] values, int value) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == value) {
                return i;
            }
        }
        return -1;
    }
}
