package dev.aqlm.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aqlm.runtime.checkpoint.SafetensorsFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * The golden fixtures (computed by Hugging Face transformers, see fixtures/README.md). Found through the
 * {@code aqlm.fixtures} system property (Maven sets it) or by walking up from the working directory. A missing
 * fixtures folder fails the test: these tests must never pass by not running.
 */
public final class Fixtures {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Fixtures() {
    }

    public static Path root() {
        String configured = System.getProperty("aqlm.fixtures");
        if (configured != null && Files.isDirectory(Path.of(configured))) {
            return Path.of(configured);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("fixtures/models"))) {
                return dir.resolve("fixtures");
            }
        }
        throw new IllegalStateException("fixtures not found: set -Daqlm.fixtures=/path/to/fixtures");
    }

    public static Path model(String name) {
        return root().resolve("models").resolve(name);
    }

    /** Every fixture model folder name, sorted. */
    public static List<String> modelNames() {
        try (Stream<Path> dirs = Files.list(root().resolve("models"))) {
            return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode json(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One prompt of a model's golden.json with its logits from golden.safetensors. */
    public record GoldenPrompt(int index, int[] inputIds, float[][] logits, int[] greedyNewTokens, String text,
                               String greedyText) {
    }

    public static List<GoldenPrompt> goldenPrompts(String modelName) {
        Path dir = model(modelName);
        JsonNode golden = json(dir.resolve("golden.json"));
        List<GoldenPrompt> prompts = new ArrayList<>();
        try (SafetensorsFile tensors = SafetensorsFile.open(dir.resolve("golden.safetensors"))) {
            JsonNode list = golden.get("prompts");
            for (int i = 0; i < list.size(); i++) {
                JsonNode prompt = list.get(i);
                int[] ids = tensors.tensor("prompt" + i + ".input_ids").toInts();
                var logitsTensor = tensors.tensor("prompt" + i + ".logits");
                int rows = (int) logitsTensor.dim(0);
                int vocab = (int) logitsTensor.dim(1);
                float[] flat = logitsTensor.toFloats();
                float[][] logits = new float[rows][vocab];
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(flat, r * vocab, logits[r], 0, vocab);
                }
                prompts.add(new GoldenPrompt(i, ids, logits, ints(prompt.get("greedy_new_tokens")),
                        prompt.path("text").asText(null), prompt.path("greedy_text").asText(null)));
            }
        }
        return prompts;
    }

    /** Each golden prompt's ids twice over, so that prompt lookup finds n-grams to copy. */
    public static List<int[]> goldenPromptsTwice(String modelName) {
        List<int[]> prompts = new ArrayList<>();
        for (GoldenPrompt prompt : goldenPrompts(modelName)) {
            int[] ids = prompt.inputIds();
            int[] twice = Arrays.copyOf(ids, 2 * ids.length);
            System.arraycopy(ids, 0, twice, ids.length, ids.length);
            prompts.add(twice);
        }
        return prompts;
    }

    public static int[] ints(JsonNode array) {
        int[] values = new int[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asInt();
        }
        return values;
    }

    /** max |a - b| / max |b| over all entries: the relative error measure of the fixtures README. */
    public static double relativeMaxError(float[][] actual, float[][] expected) {
        double maxDiff = 0;
        double maxRef = 0;
        for (int r = 0; r < expected.length; r++) {
            for (int c = 0; c < expected[r].length; c++) {
                maxDiff = Math.max(maxDiff, Math.abs(actual[r][c] - expected[r][c]));
                maxRef = Math.max(maxRef, Math.abs(expected[r][c]));
            }
        }
        return maxDiff / maxRef;
    }
}
