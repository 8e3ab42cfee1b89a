package dev.aqlm.spark.eval;

import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.model.ModelConfigReader;
import java.nio.file.Path;

/**
 * lm-eval's {@code max_length} for a model, and engine options whose context holds it: {@code --max-length} if
 * given, else the model's max_position_embeddings (lm-eval's order, for a model without max_length in its
 * arguments); the KV context follows it unless {@code --context-length} says otherwise. Resolved wherever the model
 * is loaded, so a Spark driver needs no model files.
 */
public record ScoringLength(int maxLength, EngineOptions options) {
    /** @param maxLength {@code --max-length}, or null for the model's (read from its config.json) */
    public static ScoringLength resolve(Path modelDirectory, Integer maxLength, EngineOptions options) {
        return of(maxLength != null ? maxLength : ModelConfigReader.read(modelDirectory).maxPositionEmbeddings(),
                options);
    }

    /** A known max length: the KV context is sized to it unless one was asked for. */
    public static ScoringLength of(int maxLength, EngineOptions options) {
        return new ScoringLength(maxLength, options.contextLength() == 0 ? options.withContextLength(maxLength)
                : options);
    }
}
