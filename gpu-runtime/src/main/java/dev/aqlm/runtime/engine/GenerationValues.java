package dev.aqlm.runtime.engine;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A value for every {@link GenerationOptions generation option}: what the CLI, {@code GenerationSpec}, a row's
 * overrides and the DataFrame API all build, and the one place that turns options into the engine's
 * {@link GenerationSettings} (including the temperature rule). Immutable and serializable (it travels to Spark
 * executors in task closures).
 */
public final class GenerationValues implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Every option at its default: greedy, 128 new tokens. */
    public static final GenerationValues DEFAULTS = defaults();

    /** Option name to value, every option present (temperature's value may be null: absent). */
    private final LinkedHashMap<String, Object> values;

    private GenerationValues(LinkedHashMap<String, Object> values) {
        this.values = values;
    }

    private static GenerationValues defaults() {
        LinkedHashMap<String, Object> values = new LinkedHashMap<>();
        GenerationOptions.ALL.forEach(option -> values.put(option.name(), option.defaultValue()));
        return new GenerationValues(values);
    }

    public <T> T get(GenerationOption<T> option) {
        return option.cast(values.get(option.name()));
    }

    /** This value with {@code option} set; {@code label} names the setting in the error a bad value gets. */
    public <T> GenerationValues with(GenerationOption<T> option, T value, String label) {
        LinkedHashMap<String, Object> changed = new LinkedHashMap<>(values);
        changed.put(option.name(), option.requireValid(value, label));
        return new GenerationValues(changed);
    }

    public <T> GenerationValues with(GenerationOption<T> option, T value) {
        return with(option, value, option.name());
    }

    /**
     * This value with a row's override columns applied: {@code columnText} gives a column's text, or null/blank when
     * the row has none. A value that is not of the column's type fails with IllegalArgumentException naming the column,
     * one out of range with InvalidRequestException.
     */
    public GenerationValues withOverrides(UnaryOperator<String> columnText) {
        GenerationValues result = this;
        for (GenerationOption<?> option : GenerationOptions.with(GenerationOption.Use.ROW_OVERRIDE)) {
            result = result.withText(option, columnText.apply(option.name()));
        }
        return result;
    }

    private <T> GenerationValues withText(GenerationOption<T> option, String text) {
        if (text == null || text.isBlank()) {
            return this;
        }
        T value;
        try {
            value = option.parse(text);
        } catch (NumberFormatException | ArithmeticException e) { // ArithmeticException: out of the type's range
            throw new IllegalArgumentException("column '" + option.name() + "' is '" + abbreviate(text) + "', not "
                    + option.kind());
        }
        return with(option, value); // out of range: InvalidRequestException, naming the option as the column is named
    }

    /**
     * The temperature rule, stated once: an explicit temperature is used as given; without one, asking for top-k,
     * top-p or min-p means sampling at temperature 1.0 (as Hugging Face does), and asking for none of them is greedy.
     */
    public double temperature() {
        Double given = get(GenerationOptions.TEMPERATURE);
        if (given != null) {
            return given;
        }
        boolean samplingAsked = get(GenerationOptions.TOP_K) > 0 || get(GenerationOptions.TOP_P) < 1.0
                || get(GenerationOptions.MIN_P) > 0;
        return samplingAsked ? 1.0 : 0.0;
    }

    /** The sampling rule these values ask for, with {@code seed} (a row's seed, or the job seed). */
    public SamplingParams sampling() {
        return new SamplingParams(temperature(), get(GenerationOptions.TOP_K), get(GenerationOptions.TOP_P),
                get(GenerationOptions.MIN_P), get(GenerationOptions.SEED));
    }

    /** How these values draft several tokens per pass: one value for the four options, or an error naming two that clash. */
    public Speculation speculation() {
        return Speculation.fromOptions(get(GenerationOptions.PROMPT_LOOKUP_TOKENS),
                get(GenerationOptions.PROMPT_LOOKUP_NGRAM), get(GenerationOptions.ASSISTANT_MODEL),
                get(GenerationOptions.ASSISTANT_TOKENS));
    }

    /** These values with the speculation options set to ask for {@code speculation} (and nothing else). */
    public GenerationValues withSpeculation(Speculation speculation) {
        Integer lookupTokens = null;
        Integer lookupNgram = null;
        String assistant = null;
        Integer assistantTokens = null;
        if (speculation instanceof Speculation.PromptLookup lookup) {
            lookupTokens = lookup.tokens();
            lookupNgram = lookup.ngram();
        } else if (speculation instanceof Speculation.Assistant model) {
            assistant = model.model();
            assistantTokens = model.tokens();
        }
        return with(GenerationOptions.PROMPT_LOOKUP_TOKENS, lookupTokens)
                .with(GenerationOptions.PROMPT_LOOKUP_NGRAM, lookupNgram)
                .with(GenerationOptions.ASSISTANT_MODEL, assistant)
                .with(GenerationOptions.ASSISTANT_TOKENS, assistantTokens);
    }

    /** The engine's settings for these values. */
    public GenerationSettings toSettings() {
        return new GenerationSettings(get(GenerationOptions.MAX_NEW_TOKENS), sampling(), get(GenerationOptions.STOP),
                !get(GenerationOptions.IGNORE_EOS), null, get(GenerationOptions.TRUNCATE_PROMPTS), speculation());
    }

    /**
     * An option's value as it takes effect: as set, but the temperature as the rule resolves it. The output columns
     * and the fingerprint show these.
     */
    public Object effective(GenerationOption<?> option) {
        return option == GenerationOptions.TEMPERATURE ? temperature() : values.get(option.name());
    }

    /** The fingerprint's entries ({@link GenerationOption.Use#FINGERPRINT}): each effective value as text. */
    public Map<String, String> fingerprint() {
        Map<String, String> fields = new LinkedHashMap<>();
        for (GenerationOption<?> option : GenerationOptions.with(GenerationOption.Use.FINGERPRINT)) {
            fields.put(option.name(), effectiveText(option));
        }
        return fields;
    }

    private <T> String effectiveText(GenerationOption<T> option) {
        return option.text(option.cast(effective(option)));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof GenerationValues that && values.equals(that.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return values.toString();
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
