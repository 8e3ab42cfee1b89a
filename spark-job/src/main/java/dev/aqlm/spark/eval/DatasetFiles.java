package dev.aqlm.spark.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads a dataset file into rows: JSON lines, or Parquet ({@link ParquetRows}). */
public final class DatasetFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DatasetFiles() {
    }

    public static boolean isDatasetFile(Path file) {
        String name = file.getFileName().toString();
        return Files.isRegularFile(file) && (name.endsWith(".jsonl") || name.endsWith(".parquet"));
    }

    public static List<JsonNode> read(Path file) {
        String name = file.getFileName().toString();
        if (name.endsWith(".parquet")) {
            return ParquetRows.read(file);
        }
        if (name.endsWith(".jsonl")) {
            return readJsonLines(file);
        }
        throw new TaskDataException(file + ": not a dataset file (expected .jsonl or .parquet)");
    }

    static List<JsonNode> readJsonLines(Path file) {
        List<JsonNode> rows = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode row;
                try {
                    row = JSON.readTree(line);
                } catch (JsonProcessingException e) {
                    throw new TaskDataException(file + " line " + number + ": not valid JSON ("
                            + e.getOriginalMessage() + ")");
                }
                if (!row.isObject()) {
                    throw new TaskDataException(file + " line " + number + ": expected a JSON object per line");
                }
                rows.add(row);
            }
        } catch (IOException e) {
            throw new TaskDataException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        return rows;
    }
}
