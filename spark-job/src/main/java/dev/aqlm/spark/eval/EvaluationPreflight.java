package dev.aqlm.spark.eval;

import dev.aqlm.runtime.checkpoint.CheckpointException;
import dev.aqlm.runtime.cli.OptionChecks;
import dev.aqlm.runtime.engine.ContextLimits;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.io.OutputFolders;
import dev.aqlm.runtime.model.ModelConfig;
import dev.aqlm.runtime.model.ModelConfigReader;
import java.nio.file.Path;
import java.util.List;

/**
 * What eval and sweep check before building a request or loading a model, so a typo costs seconds instead of a whole
 * scoring run: the numbers, the output folder (results are written only after everything is scored), and the lengths
 * against each model's config.json where this process sees the model.
 */
public final class EvaluationPreflight {
    private EvaluationPreflight() {
    }

    /** @param models each gets a results folder under {@code output}, which must be creatable too */
    public static void checkSettings(Path output, List<String> models, Integer maxLength, Double limit,
                                     int bootstrapIterations, int maxBatchTokens) {
        OptionChecks.requireAtLeast("--bootstrap-iters", bootstrapIterations, 0);
        OptionChecks.requireAtLeast("--max-batch-tokens", maxBatchTokens, 1);
        if (maxLength != null) {
            OptionChecks.requireAtLeast("--max-length", maxLength, 2);
        }
        if (limit != null && !(limit > 0)) {
            throw new dev.aqlm.runtime.errors.AqlmException("--limit must be above 0 (a count, or a fraction below 1), got "
                    + limit);
        }
        OutputFolders.requireCreatable(output, "--output " + output);
        for (String model : models) {
            Path folder = output.resolve(OutputFiles.sanitizeModelName(model));
            OutputFolders.requireCreatable(folder, "the results of " + model + " (" + folder + ")");
        }
    }

    /**
     * Lengths the model's positions cannot hold; the same wording as generate's. A config.json that cannot be read is
     * left to the model's load, which reports it with the model's other failures.
     */
    public static void checkAgainstModel(Path modelDirectory, Integer maxLength, EngineOptions engine) {
        ModelConfig config;
        try {
            config = ModelConfigReader.read(modelDirectory);
        } catch (CheckpointException e) {
            return;
        }
        if (maxLength != null) {
            ContextLimits.requireWithinModel(maxLength, "--max-length", config);
        }
        ContextLimits.requireWithinModel(engine.contextLength(), "--context-length", config);
    }
}
