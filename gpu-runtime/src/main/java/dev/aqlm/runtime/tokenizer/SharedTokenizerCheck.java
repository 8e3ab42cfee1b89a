package dev.aqlm.runtime.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aqlm.runtime.errors.AqlmException;
import dev.aqlm.runtime.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Checks that an assistant model drafts in the main model's token ids: the same vocabulary size and, where the
 * checkpoints carry tokenizer files, the same tokenizer model (vocabulary and merges) and added tokens. Formatting,
 * normalizer tweaks and other tokenizer.json fields may differ: they do not change what an id means.
 */
public final class SharedTokenizerCheck {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SharedTokenizerCheck() {
    }

    public static void require(Path main, ModelConfig mainConfig, Path assistant, ModelConfig assistantConfig) {
        String problem = null;
        if (mainConfig.vocabSize() != assistantConfig.vocabSize()) {
            problem = "its vocabulary has " + assistantConfig.vocabSize() + " tokens, the main model's "
                    + mainConfig.vocabSize();
        } else if (TextTokenizer.existsIn(main) != TextTokenizer.existsIn(assistant)) {
            problem = "only " + (TextTokenizer.existsIn(main) ? "the main model" : "the assistant") + " has a "
                    + TextTokenizer.TOKENIZER_FILE + ", so the two cannot be compared (copy the main model's tokenizer"
                    + " files into the assistant's directory if they are the same)";
        } else if (TextTokenizer.existsIn(main)) {
            JsonNode mine = read(main);
            JsonNode theirs = read(assistant);
            if (!Objects.equals(mine.get("model"), theirs.get("model"))) {
                problem = "its " + TextTokenizer.TOKENIZER_FILE + " has a different vocabulary or merges";
            } else if (!Objects.equals(mine.get("added_tokens"), theirs.get("added_tokens"))) {
                problem = "its " + TextTokenizer.TOKENIZER_FILE + " has different added (special) tokens";
            }
        }
        if (problem != null) {
            throw new AqlmException("assistant model " + assistant + " does not share the tokenizer of " + main + ": "
                    + problem + ". An assistant drafts token ids the main model verifies, so it must use the same"
                    + " tokenizer: the same base model in a smaller format, or a smaller model of the same family");
        }
    }

    private static JsonNode read(Path directory) {
        Path file = directory.resolve(TextTokenizer.TOKENIZER_FILE);
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new AqlmException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
