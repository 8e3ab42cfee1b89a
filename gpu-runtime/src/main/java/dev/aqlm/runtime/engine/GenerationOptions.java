package dev.aqlm.runtime.engine;

import static dev.aqlm.runtime.engine.GenerationOption.Use.FINGERPRINT;
import static dev.aqlm.runtime.engine.GenerationOption.Use.OUTPUT_COLUMN;
import static dev.aqlm.runtime.engine.GenerationOption.Use.ROW_OVERRIDE;

import java.util.List;

/**
 * Every generation option, once. Adding one: a constant here (with its uses), a field wherever the engine consumes it
 * ({@link SamplingParams} or {@link GenerationSettings}, read in {@link GenerationValues}); the CLI flag, the builders'
 * {@code set(option, value)}, the row-override column, the output column and the resume fingerprint follow from this
 * list.
 */
public final class GenerationOptions {
    public static final GenerationOption<Integer> MAX_NEW_TOKENS = new GenerationOption<>("max_new_tokens",
            "--max-new-tokens", Integer.class, 128, "tokens to generate at most",
            text -> GenerationOption.integral(text).intValueExact(), v -> v < 0 ? "must be 0 or more" : null,
            ROW_OVERRIDE, OUTPUT_COLUMN, FINGERPRINT);

    /** Null by default: absent, which {@link GenerationValues#temperature()} resolves (the temperature rule). */
    public static final GenerationOption<Double> TEMPERATURE = new GenerationOption<>("temperature", "--temperature",
            Double.class, null, "sampling temperature; 0 = greedy; absent = greedy unless --top-k, --top-p or"
            + " --min-p is given, then 1.0", Double::parseDouble,
            v -> v >= 0 && !Double.isInfinite(v) ? null : "must be a finite number >= 0",
            ROW_OVERRIDE, OUTPUT_COLUMN, FINGERPRINT);

    public static final GenerationOption<Integer> TOP_K = new GenerationOption<>("top_k", "--top-k", Integer.class, 0,
            "keep the k most likely tokens; 0 = all", text -> GenerationOption.integral(text).intValueExact(),
            v -> v < 0 ? "must be >= 0 (0 keeps every token)" : null, ROW_OVERRIDE, OUTPUT_COLUMN, FINGERPRINT);

    public static final GenerationOption<Double> TOP_P = new GenerationOption<>("top_p", "--top-p", Double.class, 1.0,
            "nucleus sampling: keep the most likely tokens whose probability reaches this mass; 1.0 = all",
            Double::parseDouble, v -> v > 0 && v <= 1 ? null : "must be in (0, 1]",
            ROW_OVERRIDE, OUTPUT_COLUMN, FINGERPRINT);

    public static final GenerationOption<Double> MIN_P = new GenerationOption<>("min_p", "--min-p", Double.class, 0.0,
            "drop tokens less likely than this fraction of the most likely token's probability (after temperature);"
            + " 0 = none", Double::parseDouble, v -> v >= 0 && v <= 1 ? null : "must be in [0, 1]",
            ROW_OVERRIDE, OUTPUT_COLUMN, FINGERPRINT);

    /** The job seed; a row's own seed is derived from it and the row id, unless the row has a seed column. */
    public static final GenerationOption<Long> SEED = new GenerationOption<>("seed", "--seed", Long.class, 0L,
            "sampling seed", text -> GenerationOption.integral(text).longValueExact(), v -> null,
            ROW_OVERRIDE, OUTPUT_COLUMN, FINGERPRINT);

    @SuppressWarnings({"unchecked", "rawtypes"})
    public static final GenerationOption<List<String>> STOP = new GenerationOption<>("stop", "--stop",
            (Class<List<String>>) (Class) List.class, List.of(),
            "stop when the completion contains this text (repeatable)", List::of,
            v -> v.stream().anyMatch(String::isEmpty)
                    ? "must not be empty: an empty stop string would end every completion at once" : null,
            FINGERPRINT);

    public static final GenerationOption<Boolean> IGNORE_EOS = new GenerationOption<>("ignore_eos", "--ignore-eos",
            Boolean.class, false, "keep generating after the end-of-sequence token", Boolean::parseBoolean, v -> null,
            FINGERPRINT);

    public static final GenerationOption<Boolean> TRUNCATE_PROMPTS = new GenerationOption<>("truncate_prompts",
            "--truncate-prompts", Boolean.class, false, "a prompt that leaves no room for --max-new-tokens in the"
            + " context window keeps its BOS and its last tokens instead of failing (the dropped count is reported)",
            Boolean::parseBoolean, v -> null, FINGERPRINT);

    // Speculation, under Hugging Face's names; absent (null) unless given. Never changes a row's tokens, only how many
    // each forward pass yields; GenerationValues#speculation() makes them one Speculation and refuses contradictions.
    public static final GenerationOption<Integer> PROMPT_LOOKUP_TOKENS = new GenerationOption<>("prompt_lookup_tokens",
            "--prompt-lookup-tokens", Integer.class, null, "prompt-lookup decoding (HF prompt_lookup_num_tokens): draft"
            + " this many tokens that followed an earlier occurrence of the last n-gram, verified in one pass",
            text -> GenerationOption.integral(text).intValueExact(), GenerationOptions::positive, FINGERPRINT);

    public static final GenerationOption<Integer> PROMPT_LOOKUP_NGRAM = new GenerationOption<>("prompt_lookup_ngram",
            "--prompt-lookup-ngram", Integer.class, null, "largest n-gram prompt lookup matches, trying it down to 1"
            + " (HF max_matching_ngram_size; default " + Speculation.DEFAULT_NGRAM + ")",
            text -> GenerationOption.integral(text).intValueExact(), GenerationOptions::positive, FINGERPRINT);

    public static final GenerationOption<String> ASSISTANT_MODEL = new GenerationOption<>("assistant_model",
            "--assistant-model", String.class, null, "speculative decoding (HF assistant_model): a smaller model with"
            + " the same tokenizer (directory or Hub id) drafts tokens greedily, verified in one pass",
            text -> text, v -> v.isBlank() ? "must name a checkpoint directory or Hub id" : null, FINGERPRINT);

    public static final GenerationOption<Integer> ASSISTANT_TOKENS = new GenerationOption<>("assistant_tokens",
            "--assistant-tokens", Integer.class, null, "tokens the assistant drafts per pass (HF"
            + " num_assistant_tokens; default " + Speculation.DEFAULT_ASSISTANT_TOKENS + ")",
            text -> GenerationOption.integral(text).intValueExact(), GenerationOptions::positive, FINGERPRINT);

    /** In the order of the CLI's help, the output's columns (as they were before min_p) and the fingerprint. */
    public static final List<GenerationOption<?>> ALL = List.of(TEMPERATURE, TOP_P, TOP_K, MIN_P, MAX_NEW_TOKENS, SEED,
            STOP, IGNORE_EOS, TRUNCATE_PROMPTS, PROMPT_LOOKUP_TOKENS, PROMPT_LOOKUP_NGRAM, ASSISTANT_MODEL,
            ASSISTANT_TOKENS);

    private GenerationOptions() {
    }

    private static String positive(int value) {
        return value < 1 ? "must be at least 1" : null;
    }

    /** The options with {@code use}, in {@link #ALL}'s order. */
    public static List<GenerationOption<?>> with(GenerationOption.Use use) {
        return ALL.stream().filter(option -> option.has(use)).toList();
    }

    /** The option named {@code name}, or null. */
    public static GenerationOption<?> named(String name) {
        return ALL.stream().filter(option -> option.name().equals(name)).findFirst().orElse(null);
    }
}
