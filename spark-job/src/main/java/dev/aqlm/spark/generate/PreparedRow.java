package dev.aqlm.spark.generate;

import dev.aqlm.runtime.engine.GenerationRequest;

/**
 * An input row made ready for the scheduler: its request, or the reason it cannot run (then request is null).
 *
 * @param promptTokens the prompt's token count when tokenized, else null
 */
record PreparedRow(String id, String prompt, GenerationRequest request, GeneratedRows.RowSettings settings,
                   Integer promptTokens, String error) {

    static PreparedRow failed(String id, String prompt, GeneratedRows.RowSettings settings, Integer promptTokens,
                              String error) {
        return new PreparedRow(id, prompt, null, settings, promptTokens, error);
    }

    boolean failed() {
        return error != null;
    }
}
