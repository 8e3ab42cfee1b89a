package dev.aqlm.runtime.cli;

import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.engine.EngineOptions;
import java.nio.file.Path;

/** Loads a model for a command, telling the user on stderr what was loaded where and how long it took. */
final class ModelLoading {
    private ModelLoading() {
    }

    static LanguageModel load(Path directory, EngineOptions options) {
        long start = System.nanoTime();
        LanguageModel model = LanguageModel.load(directory, options);
        System.err.printf("loaded %s (%s) on %s in %.1f s%n", directory, model.config().describe(),
                model.backend().description(), (System.nanoTime() - start) / 1e9);
        return model;
    }
}
