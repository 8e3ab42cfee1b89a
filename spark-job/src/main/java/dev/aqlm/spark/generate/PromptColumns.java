package dev.aqlm.spark.generate;

import java.util.List;

/**
 * The canonical input row the executors see, whatever the input format: every column a string (overrides are parsed
 * on the executor, so a bad value becomes that row's error instead of a silent null from a cast).
 */
public final class PromptColumns {
    public static final String ID = "id";
    public static final String PROMPT = "prompt";
    public static final String TEMPERATURE = "temperature";
    public static final String TOP_P = "top_p";
    public static final String TOP_K = "top_k";
    public static final String MAX_NEW_TOKENS = "max_new_tokens";
    public static final String SEED = "seed";
    /** The raw text of a line the JSON or CSV reader could not parse (null for good rows). */
    public static final String MALFORMED = "malformed_record";

    /** Per-row override columns, used when the input has a column of this name. */
    public static final List<String> OVERRIDES = List.of(TEMPERATURE, TOP_P, TOP_K, MAX_NEW_TOKENS, SEED);

    /** The order of the canonical row's fields. */
    public static final List<String> ALL = List.of(ID, PROMPT, TEMPERATURE, TOP_P, TOP_K, MAX_NEW_TOKENS, SEED, MALFORMED);

    public static final int ID_INDEX = 0;
    public static final int PROMPT_INDEX = 1;
    public static final int TEMPERATURE_INDEX = 2;
    public static final int TOP_P_INDEX = 3;
    public static final int TOP_K_INDEX = 4;
    public static final int MAX_NEW_TOKENS_INDEX = 5;
    public static final int SEED_INDEX = 6;
    public static final int MALFORMED_INDEX = 7;

    private PromptColumns() {
    }
}
