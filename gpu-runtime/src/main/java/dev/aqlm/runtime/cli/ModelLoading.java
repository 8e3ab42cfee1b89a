package dev.aqlm.runtime.cli;

import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.hub.ModelLocation;
import java.nio.file.Path;

/** Loads a model for a command, telling the user on stderr what was loaded where and how long it took. */
final class ModelLoading {
    private ModelLoading() {
    }

    static LanguageModel load(Path directory, EngineOptions options) {
        return load(directory.toString(), options);
    }

    /** @param reference a checkpoint directory or a Hugging Face Hub id (resolved through the Hub cache) */
    static LanguageModel load(String reference, EngineOptions options) {
        long start = System.nanoTime();
        Path directory = ModelLocation.resolve(reference);
        LanguageModel model = LanguageModel.load(directory, options);
        System.err.printf("loaded %s (%s) on %s in %.1f s%n", reference, model.config().describe(),
                model.backend().description(), (System.nanoTime() - start) / 1e9);
        return model;
    }
}
