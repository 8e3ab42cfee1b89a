package dev.aqlm.runtime.cli;

import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.hub.ModelLocation;
import dev.aqlm.runtime.model.ModelConfig;
import dev.aqlm.runtime.model.ModelConfigReader;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Loads a model for a command, telling the user on stderr what was loaded where and how long it took. */
final class ModelLoading {
    private ModelLoading() {
    }

    static LanguageModel load(Path directory, EngineOptions options) {
        return load(directory.toString(), options, config -> { });
    }

    /**
     * @param reference a checkpoint directory or a Hugging Face Hub id (resolved through the Hub cache)
     * @param preflight checks of the command's options against the model's config.json, run before the (possibly
     *                  minutes-long) weight load, so a bad option fails at once
     */
    static LanguageModel load(String reference, EngineOptions options, Consumer<ModelConfig> preflight) {
        long start = System.nanoTime();
        Path directory = ModelLocation.resolve(reference);
        preflight.accept(ModelConfigReader.read(directory));
        LanguageModel model = LanguageModel.load(directory, options);
        System.err.printf("loaded %s (%s) on %s in %.1f s%n", reference, model.config().describe(),
                model.backend().description(), (System.nanoTime() - start) / 1e9);
        return model;
    }
}
