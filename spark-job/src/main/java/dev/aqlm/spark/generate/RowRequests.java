package dev.aqlm.spark.generate;

import dev.aqlm.runtime.AqlmException;
import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.engine.GenerationSettings;
import dev.aqlm.runtime.engine.SamplingParams;
import dev.aqlm.runtime.engine.SamplingRandom;
import dev.aqlm.runtime.tokenizer.TextTokenizer;
import dev.aqlm.spark.prompt.ChatTemplate;
import java.math.BigDecimal;
import java.util.function.Function;
import org.apache.spark.sql.Row;

/**
 * Turns canonical input rows ({@link PromptColumns}) into generation requests on an executor: the job's defaults,
 * the row's overrides, the row's seed (its seed column, else derived from the job seed and the row id, so a retried
 * partition reproduces its rows), the chat template if asked. Anything wrong with one row (a malformed line, a null
 * prompt, a bad override, a tokenizer failure) makes that row's error, never a failed task.
 */
final class RowRequests {
    private final LanguageModel model;
    private final GenerationDefaults defaults;
    private final ChatTemplate chat;

    RowRequests(LanguageModel model, GenerationDefaults defaults) {
        if (!model.hasTokenizer()) { // a setup error, not a row's: fail the task (and the job) with the reason
            throw new AqlmException(model.directory() + " has no " + TextTokenizer.TOKENIZER_FILE
                    + ": text prompts need the tokenizer files of the model's Hugging Face repository");
        }
        this.model = model;
        this.defaults = defaults;
        this.chat = defaults.applyChatTemplate()
                ? ChatTemplate.forModel(model.directory(), defaults.chatTemplate()) : null;
    }

    PreparedRow prepare(Row row) {
        String id = row.getString(PromptColumns.ID_INDEX);
        String prompt = row.getString(PromptColumns.PROMPT_INDEX);
        String malformed = row.getString(PromptColumns.MALFORMED_INDEX);
        if (malformed != null) {
            return PreparedRow.failed(id, prompt, GeneratedRows.RowSettings.UNKNOWN, null,
                    "the input reader could not parse this record: " + abbreviate(malformed));
        }
        GeneratedRows.RowSettings settings;
        try {
            settings = settingsOf(row, id);
        } catch (IllegalArgumentException e) {
            return PreparedRow.failed(id, prompt, GeneratedRows.RowSettings.UNKNOWN, null, e.getMessage());
        }
        if (prompt == null) {
            return PreparedRow.failed(id, null, settings, null, "the prompt column is null in this row");
        }
        if (prompt.isBlank()) {
            return PreparedRow.failed(id, prompt, settings, null, "the prompt is empty");
        }
        int[] tokens;
        try {
            tokens = chat == null ? model.tokenizer().encode(prompt)
                    : model.tokenizer().encode(chat.renderUserPrompt(prompt), false);
        } catch (RuntimeException e) {
            return PreparedRow.failed(id, prompt, settings, null, "cannot tokenize the prompt: " + e.getMessage());
        }
        try {
            SamplingParams sampling = new SamplingParams(settings.temperature(), settings.topK(), settings.topP(),
                    settings.seed());
            GenerationSettings generation = new GenerationSettings(settings.maxNewTokens(), sampling,
                    defaults.stopStrings(), defaults.stopAtEos(), null, defaults.truncatePrompts(),
                    defaults.speculation());
            return new PreparedRow(id, prompt, model.request(id, tokens, generation), settings, tokens.length, null);
        } catch (RuntimeException e) { // out-of-range sampling values
            return PreparedRow.failed(id, prompt, settings, tokens.length, e.getMessage());
        }
    }

    private GeneratedRows.RowSettings settingsOf(Row row, String id) {
        double temperature = parse(row, PromptColumns.TEMPERATURE_INDEX, PromptColumns.TEMPERATURE,
                Double::parseDouble, defaults.temperature(), "a number");
        double topP = parse(row, PromptColumns.TOP_P_INDEX, PromptColumns.TOP_P, Double::parseDouble,
                defaults.topP(), "a number");
        int topK = parse(row, PromptColumns.TOP_K_INDEX, PromptColumns.TOP_K,
                text -> integral(text).intValueExact(), defaults.topK(), "an integer");
        int maxNewTokens = parse(row, PromptColumns.MAX_NEW_TOKENS_INDEX, PromptColumns.MAX_NEW_TOKENS,
                text -> integral(text).intValueExact(), defaults.maxNewTokens(), "an integer");
        long seed = parse(row, PromptColumns.SEED_INDEX, PromptColumns.SEED, text -> integral(text).longValueExact(),
                SamplingRandom.seedFor(defaults.jobSeed(), id), "an integer");
        return new GeneratedRows.RowSettings(temperature, topP, topK, maxNewTokens, seed);
    }

    private static <T> T parse(Row row, int index, String column, Function<String, T> parser, T fallback, String kind) {
        String text = row.getString(index);
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            return parser.apply(text.strip());
        } catch (NumberFormatException | ArithmeticException e) { // ArithmeticException: out of the type's range
            throw new IllegalArgumentException("column '" + column + "' is '" + abbreviate(text) + "', not " + kind);
        }
    }

    /**
     * An integer column's value as text. Schema inference types a column by all its values, so one 8.5 makes every
     * 8 read as "8.0": a whole number in any notation is accepted, a real fraction is not.
     */
    private static BigDecimal integral(String text) {
        BigDecimal value = new BigDecimal(text);
        if (value.signum() != 0 && value.stripTrailingZeros().scale() > 0) {
            throw new NumberFormatException("fraction");
        }
        return value;
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
