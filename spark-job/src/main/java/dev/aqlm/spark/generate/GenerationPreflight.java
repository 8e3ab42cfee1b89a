package dev.aqlm.spark.generate;

import dev.aqlm.runtime.engine.ContextLimits;
import dev.aqlm.runtime.engine.Speculation;
import dev.aqlm.runtime.errors.AqlmException;
import dev.aqlm.runtime.model.ModelConfigReader;
import dev.aqlm.runtime.tokenizer.SharedTokenizerCheck;
import dev.aqlm.spark.prompt.ChatTemplate;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The checks of a generation's settings that the driver can make before any executor loads a model: sampling values,
 * lengths against the model's config.json, and the chat template (parsed and tried on one message). Otherwise a bad
 * setting would surface only after minutes of loading, once per row or once per executor.
 */
final class GenerationPreflight {
    private GenerationPreflight() {
    }

    /** @param executorModel the model as executors load it: checked here too when it is a directory this driver sees */
    static void check(GenerationSpec spec, String executorModel) {
        GenerationDefaults d = spec.defaults();
        int maxNewTokens = d.values().toSettings().maxNewTokens(); // the values were checked as they were set
        if (spec.partitions() < 0 || spec.queueDepth() < 0) {
            throw new AqlmException("--partitions and --queue-depth must be 0 or more, got " + spec.partitions()
                    + " and " + spec.queueDepth());
        }
        Path directory = Path.of(executorModel);
        if (!Files.isDirectory(directory)) {
            return; // a Hub id or a path only the executors see: they check it when they load
        }
        ContextLimits.requireUsable(spec.engine(), maxNewTokens, ModelConfigReader.read(directory));
        if (d.values().speculation() instanceof Speculation.Assistant assistant
                && Files.isDirectory(Path.of(assistant.model()))) { // else the executors check it when they load it
            Path assistantDirectory = Path.of(assistant.model());
            SharedTokenizerCheck.require(directory, ModelConfigReader.read(directory), assistantDirectory,
                    ModelConfigReader.read(assistantDirectory));
        }
        if (d.applyChatTemplate()) {
            ChatTemplate.forModel(directory, d.chatTemplate()).renderUserPrompt("Hello");
        }
    }
}
