package dev.aqlm.runtime.engine;

import java.util.List;

/**
 * A user's generation options for text prompts (the facade turns them into token-level {@link GenerationRequest}s).
 *
 * @param stopAtEos       end a sequence at the model's end-of-sequence token(s)
 * @param truncatePrompts cut prompts that overflow the context window (see {@link PromptTruncation}) instead of
 *                        failing them
 * @param speculation     drafting several tokens per pass ({@link Speculation#NONE} for plain decoding)
 */
public record GenerationSettings(int maxNewTokens, SamplingParams sampling, List<String> stopStrings, boolean stopAtEos,
                                 TokenListener listener, boolean truncatePrompts,
                                 Speculation speculation) {

    public GenerationSettings {
        stopStrings = List.copyOf(stopStrings);
        if (speculation == null) {
            throw new InvalidRequestException("speculation must be set (Speculation.NONE for plain decoding)");
        }
    }

    /** Settings that decode one token per pass. */
    public GenerationSettings(int maxNewTokens, SamplingParams sampling, List<String> stopStrings, boolean stopAtEos,
                              TokenListener listener, boolean truncatePrompts) {
        this(maxNewTokens, sampling, stopStrings, stopAtEos, listener, truncatePrompts, Speculation.NONE);
    }

    public static GenerationSettings greedy(int maxNewTokens) {
        return new GenerationSettings(maxNewTokens, SamplingParams.GREEDY, List.of(), true, null, false);
    }

    public GenerationSettings withSampling(SamplingParams value) {
        return new GenerationSettings(maxNewTokens, value, stopStrings, stopAtEos, listener, truncatePrompts, speculation);
    }

    public GenerationSettings withStopStrings(List<String> value) {
        return new GenerationSettings(maxNewTokens, sampling, value, stopAtEos, listener, truncatePrompts, speculation);
    }

    public GenerationSettings withStopAtEos(boolean value) {
        return new GenerationSettings(maxNewTokens, sampling, stopStrings, value, listener, truncatePrompts, speculation);
    }

    public GenerationSettings withListener(TokenListener value) {
        return new GenerationSettings(maxNewTokens, sampling, stopStrings, stopAtEos, value, truncatePrompts, speculation);
    }

    public GenerationSettings withMaxNewTokens(int value) {
        return new GenerationSettings(value, sampling, stopStrings, stopAtEos, listener, truncatePrompts, speculation);
    }

    public GenerationSettings withPromptTruncation(boolean value) {
        return new GenerationSettings(maxNewTokens, sampling, stopStrings, stopAtEos, listener, value, speculation);
    }

    public GenerationSettings withSpeculation(Speculation value) {
        return new GenerationSettings(maxNewTokens, sampling, stopStrings, stopAtEos, listener, truncatePrompts, value);
    }
}
