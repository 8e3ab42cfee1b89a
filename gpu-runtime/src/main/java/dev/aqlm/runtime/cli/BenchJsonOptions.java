package dev.aqlm.runtime.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aqlm.runtime.io.OutputFile;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where a bench command writes its JSON: a new dated file by default; an existing one only if it is a bench's own. */
public class BenchJsonOptions {
    @Option(names = "--json", description = "results file (default: bench-results/<command>-<time>.json)")
    Path json;

    @Option(names = "--overwrite", description = "replace an existing --json file (only an earlier bench result)")
    boolean overwrite;

    /** The results file, checked at once so a bad path fails before minutes of measuring. */
    OutputFile file(String command) {
        Path path = json != null ? json : Path.of("bench-results", command + "-" + System.currentTimeMillis() + ".json");
        return new OutputFile(path, "--json", "--overwrite", overwrite, "a bench results file (JSON with \"command\""
                + " and \"results\")", BenchJsonOptions::isBenchResults).checkWritable();
    }

    private static boolean isBenchResults(Path file) {
        try {
            JsonNode root = new ObjectMapper().readTree(file.toFile());
            return root != null && root.path("command").isTextual() && root.path("results").isArray();
        } catch (IOException e) {
            return false;
        }
    }
}
