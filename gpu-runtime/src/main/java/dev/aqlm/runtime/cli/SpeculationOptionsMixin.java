package dev.aqlm.runtime.cli;

import dev.aqlm.runtime.engine.Speculation;
import picocli.CommandLine.Option;

/**
 * Drafting options of the generate commands, under Hugging Face's names: prompt lookup
 * ({@code prompt_lookup_num_tokens}, {@code max_matching_ngram_size}) or an assistant model ({@code assistant_model},
 * {@code num_assistant_tokens}). Neither changes the output, only how many tokens each forward pass yields.
 */
public class SpeculationOptionsMixin {
    @Option(names = "--prompt-lookup-tokens", paramLabel = "K", description = "prompt-lookup decoding: draft K tokens"
            + " that followed an earlier occurrence of the last n-gram (prompt or completion), verified in one pass")
    Integer promptLookupTokens;

    @Option(names = "--prompt-lookup-ngram", paramLabel = "N", description = "largest n-gram prompt lookup matches,"
            + " trying N down to 1 (default: " + Speculation.DEFAULT_NGRAM + ")")
    Integer promptLookupNgram;

    @Option(names = "--assistant-model", paramLabel = "DIR_OR_HUB_ID", description = "speculative decoding: a smaller"
            + " model with the same tokenizer drafts tokens greedily, the model verifies them in one pass")
    String assistantModel;

    @Option(names = "--assistant-tokens", paramLabel = "K", description = "tokens the assistant drafts per pass"
            + " (default: 5)")
    Integer assistantTokens;

    /** The one value for these options; a clear error when they contradict each other. */
    public Speculation toSpeculation() {
        return Speculation.fromOptions(promptLookupTokens, promptLookupNgram, assistantModel, assistantTokens);
    }
}
