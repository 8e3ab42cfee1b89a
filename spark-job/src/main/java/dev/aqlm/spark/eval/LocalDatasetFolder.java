package dev.aqlm.spark.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Task data in a local folder: {@code <task>.jsonl}, {@code <task>.parquet}, or a folder {@code <task>/} whose
 * .parquet / .jsonl shards are read in name order (as a split downloaded from the Hub is sharded).
 */
public final class LocalDatasetFolder implements DatasetSource {
    private final Path folder;

    public LocalDatasetFolder(Path folder) {
        if (Files.isRegularFile(folder)) {
            throw new TaskDataException("--data " + folder + " is a file; give the folder that holds <task>.jsonl,"
                    + " <task>.parquet or <task>/ shards");
        }
        this.folder = folder;
    }

    @Override
    public Optional<List<JsonNode>> find(TaskDefinition task) {
        for (Path candidate : List.of(folder.resolve(task.name() + ".jsonl"), folder.resolve(task.name() + ".parquet"))) {
            if (Files.isRegularFile(candidate)) {
                return Optional.of(DatasetFiles.read(candidate));
            }
        }
        Path shards = folder.resolve(task.name());
        if (Files.isDirectory(shards)) {
            List<Path> files = shardsIn(shards);
            if (!files.isEmpty()) {
                List<JsonNode> rows = new ArrayList<>();
                files.forEach(file -> rows.addAll(DatasetFiles.read(file)));
                return Optional.of(rows);
            }
        }
        return Optional.empty();
    }

    @Override
    public String lookedAt(TaskDefinition task) {
        return folder.resolve(task.name() + ".jsonl") + ", " + folder.resolve(task.name() + ".parquet") + " and "
                + folder.resolve(task.name()) + "/*.{parquet,jsonl}";
    }

    private static List<Path> shardsIn(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(DatasetFiles::isDatasetFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(directory + ": cannot list (" + e.getMessage() + ")", e);
        }
    }
}
