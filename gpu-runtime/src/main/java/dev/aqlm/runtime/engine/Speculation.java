package dev.aqlm.runtime.engine;

/**
 * How a sequence may emit several tokens per forward pass of the model: not at all, by copying a draft from an
 * earlier n-gram match in its own tokens (Hugging Face's prompt-lookup decoding), or by letting a smaller assistant
 * model that shares the tokenizer draft greedily (speculative decoding). Either way the model verifies the draft in one
 * multi-token pass, and the output is exactly what plain decoding with the same sampling settings gives (see
 * {@link DraftVerification}). Spark jobs carry it to executors as its {@link #describe()} text ({@link #parse}): Kryo cannot
 * serialize records.
 */
public sealed interface Speculation {

    /** Tokens drafted per pass at most; 0 when not speculating. */
    int draftTokens();

    /** Plain decoding: one token per pass. */
    record None() implements Speculation {
        @Override
        public int draftTokens() {
            return 0;
        }
    }

    /**
     * Prompt lookup: draft the {@code tokens} that followed the earliest earlier occurrence of the sequence's last
     * n-gram, trying n from {@code ngram} down to 1 (HF {@code prompt_lookup_num_tokens},
     * {@code max_matching_ngram_size}).
     */
    record PromptLookup(int tokens, int ngram) implements Speculation {
        public PromptLookup {
            requireDraftLength("--prompt-lookup-tokens", tokens);
            requirePositive("--prompt-lookup-ngram", ngram);
        }

        @Override
        public int draftTokens() {
            return tokens;
        }
    }

    /**
     * Speculative decoding with an assistant checkpoint (a directory or Hub id) that drafts {@code tokens} greedily
     * (HF {@code assistant_model}, {@code num_assistant_tokens}).
     */
    record Assistant(String model, int tokens) implements Speculation {
        public Assistant {
            if (model == null || model.isBlank()) {
                throw new InvalidRequestException("--assistant-model must name a checkpoint directory or Hub id");
            }
            requireDraftLength("--assistant-tokens", tokens);
        }

        @Override
        public int draftTokens() {
            return tokens;
        }
    }

    Speculation NONE = new None();

    /**
     * The longest draft: its verification chunk (the last token and the draft) is one prefill tile, so a CUDA step
     * graph holds it, and a quantized KV cache's ring keeps room for it ({@link KvCacheFormat#VERIFICATION_ROWS}).
     */
    int MAX_DRAFT_TOKENS = 63;

    /** HF's default {@code max_matching_ngram_size}. */
    int DEFAULT_NGRAM = 2;

    /** HF's default {@code num_assistant_tokens}. */
    int DEFAULT_ASSISTANT_TOKENS = 5;

    /**
     * The one value for a set of user options, each possibly absent: prompt-lookup tokens (with its n-gram size), or an
     * assistant model (with its draft length, 5 by default as in HF's {@code num_assistant_tokens}).
     */
    static Speculation fromOptions(Integer promptLookupTokens, Integer promptLookupNgram, String assistantModel,
                                   Integer assistantTokens) {
        if (promptLookupTokens != null && assistantModel != null) {
            throw new InvalidRequestException("--prompt-lookup-tokens and --assistant-model are two ways to draft;"
                    + " choose one");
        }
        if (promptLookupNgram != null && promptLookupTokens == null) {
            throw new InvalidRequestException("--prompt-lookup-ngram needs --prompt-lookup-tokens");
        }
        if (assistantTokens != null && assistantModel == null) {
            throw new InvalidRequestException("--assistant-tokens needs --assistant-model");
        }
        if (promptLookupTokens != null) {
            return new PromptLookup(promptLookupTokens, promptLookupNgram == null ? DEFAULT_NGRAM : promptLookupNgram);
        }
        if (assistantModel != null) {
            return new Assistant(assistantModel, assistantTokens == null ? DEFAULT_ASSISTANT_TOKENS : assistantTokens);
        }
        return NONE;
    }

    /** A stable text form for fingerprints and logs: "none", "prompt-lookup:K:N" or "assistant:K:MODEL". */
    default String describe() {
        if (this instanceof PromptLookup lookup) {
            return "prompt-lookup:" + lookup.tokens() + ":" + lookup.ngram();
        }
        if (this instanceof Assistant assistant) {
            return "assistant:" + assistant.tokens() + ":" + assistant.model();
        }
        return "none";
    }

    /** The inverse of {@link #describe()}. */
    static Speculation parse(String text) {
        String[] parts = text.split(":", 3);
        try {
            if (parts[0].equals("none") && parts.length == 1) {
                return NONE;
            }
            if (parts[0].equals("prompt-lookup") && parts.length == 3) {
                return new PromptLookup(Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
            }
            if (parts[0].equals("assistant") && parts.length == 3) {
                return new Assistant(parts[2], Integer.parseInt(parts[1]));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidRequestException("'" + text + "' is not a speculation setting: none, prompt-lookup:K:N or"
                + " assistant:K:MODEL");
    }

    /** Draft tokens with their last token make one verification chunk of at most one 64-row attention tile. */
    private static void requireDraftLength(String option, int value) {
        if (value < 1 || value > MAX_DRAFT_TOKENS) {
            throw new InvalidRequestException(option + " must be between 1 and " + MAX_DRAFT_TOKENS + ", got " + value);
        }
    }

    private static void requirePositive(String option, int value) {
        if (value < 1) {
            throw new InvalidRequestException(option + " must be at least 1, got " + value);
        }
    }
}
