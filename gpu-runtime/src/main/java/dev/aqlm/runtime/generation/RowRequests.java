package dev.aqlm.runtime.generation;

import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.engine.GenerationOptions;
import dev.aqlm.runtime.engine.GenerationValues;
import dev.aqlm.runtime.engine.InvalidRequestException;
import dev.aqlm.runtime.engine.SamplingRandom;
import dev.aqlm.runtime.errors.AqlmException;
import dev.aqlm.runtime.tokenizer.TextTokenizer;

/**
 * Turns input rows into generation requests: the job's settings, the row's overrides, the row's seed (its seed
 * column, else derived from the job seed and the row id, so a retried Spark partition reproduces its rows). Anything
 * wrong with one row (an unreadable record, a null or empty prompt, a bad override, a tokenizer failure) makes that
 * row's error, never a failed job.
 */
public final class RowRequests {
    /** Prompt text to token ids (the tokenizer, or a chat template followed by it). */
    @FunctionalInterface
    public interface PromptEncoder {
        int[] encode(String prompt);
    }

    private final LanguageModel model;
    private final GenerationValues job;
    private final PromptEncoder encoder;

    public RowRequests(LanguageModel model, GenerationValues job, PromptEncoder encoder) {
        if (!model.hasTokenizer()) { // a setup error, not a row's: fail the task (and the job) with the reason
            throw new AqlmException(model.directory() + " has no " + TextTokenizer.TOKENIZER_FILE
                    + ": text prompts need the tokenizer files of the model's Hugging Face repository");
        }
        this.model = model;
        this.job = job;
        this.encoder = encoder;
    }

    /** With the model's own tokenizer. */
    public RowRequests(LanguageModel model, GenerationValues job) {
        this(model, job, prompt -> model.tokenizer().encode(prompt));
    }

    PreparedRow prepare(PromptRow row) {
        String id = row.id();
        String prompt = row.prompt();
        if (row.error() != null) {
            return PreparedRow.failed(id, prompt, null, null, row.error());
        }
        GenerationValues settings;
        try {
            settings = job.with(GenerationOptions.SEED, SamplingRandom.seedFor(job.get(GenerationOptions.SEED), id))
                    .withOverrides(row.overrides()::get);
        } catch (IllegalArgumentException | InvalidRequestException e) { // not a number, or out of range
            return PreparedRow.failed(id, prompt, null, null, e.getMessage());
        }
        if (prompt == null) {
            return PreparedRow.failed(id, null, settings, null, "the prompt column is null in this row");
        }
        if (prompt.isBlank()) {
            return PreparedRow.failed(id, prompt, settings, null, "the prompt is empty");
        }
        int[] tokens;
        try {
            tokens = encoder.encode(prompt);
        } catch (RuntimeException e) {
            return PreparedRow.failed(id, prompt, settings, null, "cannot tokenize the prompt: " + e.getMessage());
        }
        try {
            return new PreparedRow(id, prompt, model.request(id, tokens, settings.toSettings()), settings,
                    tokens.length, null);
        } catch (RuntimeException e) { // the request refused the row (its length against the context window)
            return PreparedRow.failed(id, prompt, settings, tokens.length, e.getMessage());
        }
    }
}
