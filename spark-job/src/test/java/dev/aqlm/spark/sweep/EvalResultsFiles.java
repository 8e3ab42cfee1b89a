package dev.aqlm.spark.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aqlm.spark.eval.OutputFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** A model's results folder as eval writes it, read back for comparison with dates and timings left out. */
public final class EvalResultsFiles {
    /** Fields that say when and how fast, not what: they differ between any two runs. */
    private static final List<String> TIMING = List.of("date", "total_evaluation_time_seconds", "throughput");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path folder;

    public EvalResultsFiles(Path output, String model) {
        this.folder = output.resolve(OutputFiles.sanitizeModelName(model));
    }

    /** The only results file, without its timing fields. */
    public JsonNode results() {
        ObjectNode results = (ObjectNode) read(single("results_")).get(0);
        TIMING.forEach(results::remove);
        return results;
    }

    /**
     * Tokens the engine computed after deduplication and prefix sharing, from the results file's throughput line:
     * equal counts mean no sharing was lost by splitting the requests.
     */
    public long computedTokens() {
        String line = read(single("results_")).get(0).get("throughput").asText();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) tokens computed after prefix sharing")
                .matcher(line);
        if (!m.find()) {
            throw new AssertionError("no computed tokens in '" + line + "'");
        }
        return Long.parseLong(m.group(1));
    }

    /** Sample records per task (file names differ only by date). */
    public Map<String, List<JsonNode>> samples() {
        Map<String, List<JsonNode>> byTask = new TreeMap<>();
        for (Path file : files("samples_")) {
            String name = file.getFileName().toString();
            byTask.put(name.substring("samples_".length(), name.lastIndexOf('_')), read(file));
        }
        return byTask;
    }

    private Path single(String prefix) {
        List<Path> matching = files(prefix);
        if (matching.size() != 1) {
            throw new AssertionError("expected one " + prefix + "* file in " + folder + ", found " + matching);
        }
        return matching.get(0);
    }

    private List<Path> files(String prefix) {
        try (Stream<Path> listing = Files.list(folder)) {
            return listing.filter(f -> f.getFileName().toString().startsWith(prefix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JSON file (one value) or JSON lines (one value per line). */
    private static List<JsonNode> read(Path file) {
        try {
            List<JsonNode> values = new ArrayList<>();
            if (file.toString().endsWith(".json")) {
                values.add(JSON.readTree(file.toFile()));
            } else {
                for (String line : Files.readAllLines(file)) {
                    values.add(JSON.readTree(line));
                }
            }
            return values;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
