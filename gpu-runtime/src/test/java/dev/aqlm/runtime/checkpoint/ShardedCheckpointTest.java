package dev.aqlm.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.aqlm.runtime.Fixtures;
import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.engine.EngineOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardedCheckpointTest {
    @TempDir
    Path dir;

    @Test
    void shardedCheckpointLoadsToTheSameModel() throws Exception {
        String name = "llama-tiny-aqlm-1x16";
        Path sharded = dir.resolve("sharded");
        // Layer 0 and the embeddings in one shard, the rest in another, tied together by the index file.
        CheckpointFiles.copyModel(name, dir.resolve("a"), t -> t.startsWith("model.layers.0.") || t.contains("embed"), null);
        CheckpointFiles.copyModel(name, dir.resolve("b"), t -> !(t.startsWith("model.layers.0.") || t.contains("embed")), null);
        Files.createDirectories(sharded);
        Files.move(dir.resolve("a/model.safetensors"), sharded.resolve("model-00001-of-00002.safetensors"));
        Files.move(dir.resolve("b/model.safetensors"), sharded.resolve("model-00002-of-00002.safetensors"));
        Files.copy(Fixtures.model(name).resolve("config.json"), sharded.resolve("config.json"));
        StringBuilder index = new StringBuilder("{\"metadata\": {}, \"weight_map\": {");
        try (Checkpoint original = Checkpoint.open(Fixtures.model(name))) {
            String separator = "";
            for (String tensor : original.tensorNames()) {
                boolean first = tensor.startsWith("model.layers.0.") || tensor.contains("embed");
                index.append(separator).append('"').append(tensor).append("\": \"model-0000")
                        .append(first ? 1 : 2).append("-of-00002.safetensors\"");
                separator = ", ";
            }
        }
        Files.writeString(sharded.resolve(Checkpoint.INDEX_FILE), index.append("}}").toString());

        int[] tokens = Fixtures.goldenPrompts(name).get(0).inputIds();
        EngineOptions options = EngineOptions.cpu().withContextLength(32);
        try (LanguageModel whole = LanguageModel.load(Fixtures.model(name), options);
             LanguageModel split = LanguageModel.load(sharded, options)) {
            float[][] expected = whole.logits(tokens);
            float[][] actual = split.logits(tokens);
            for (int row = 0; row < expected.length; row++) {
                assertArrayEquals(expected[row], actual[row]);
            }
        }
    }
}
