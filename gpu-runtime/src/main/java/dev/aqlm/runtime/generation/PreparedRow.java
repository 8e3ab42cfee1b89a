package dev.aqlm.runtime.generation;

import dev.aqlm.runtime.engine.GenerationRequest;
import dev.aqlm.runtime.engine.GenerationValues;

/**
 * An input row made ready for the scheduler: its request, or the reason it cannot run (then request is null).
 *
 * @param settings     the row's effective settings, null when they could not be read
 * @param promptTokens the prompt's token count when tokenized, else null
 */
record PreparedRow(String id, String prompt, GenerationRequest request, GenerationValues settings,
                   Integer promptTokens, String error) {

    static PreparedRow failed(String id, String prompt, GenerationValues settings, Integer promptTokens, String error) {
        return new PreparedRow(id, prompt, null, settings, promptTokens, error);
    }

    boolean failed() {
        return error != null;
    }
}
