package dev.aqlm.spark.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where a task's documents come from: its evaluated split, rows in dataset order, in the dataset's own schema. A local
 * folder is one source ({@link LocalDatasetFolder}); a Hugging Face Hub cache resolver is another (it knows the
 * dataset from {@link TaskDefinition#dataset()}). Sources chain with {@link #firstOf}.
 */
public interface DatasetSource {
    /** The rows, or empty when this source has no data for the task (a broken file is an error, not empty). */
    Optional<List<JsonNode>> find(TaskDefinition task);

    /** Where this source looked for the task, for the message when no source has it. */
    String lookedAt(TaskDefinition task);

    /** The rows, or a {@link DatasetNotFoundException} that says where they were looked for and how to provide them. */
    default List<JsonNode> load(TaskDefinition task) {
        return find(task).orElseThrow(() -> new DatasetNotFoundException(task, List.of(lookedAt(task))));
    }

    /** Tries the sources in order; the first that has the task wins. */
    static DatasetSource firstOf(List<DatasetSource> sources) {
        List<DatasetSource> chain = List.copyOf(sources);
        return new DatasetSource() {
            @Override
            public Optional<List<JsonNode>> find(TaskDefinition task) {
                for (DatasetSource source : chain) {
                    Optional<List<JsonNode>> rows = source.find(task);
                    if (rows.isPresent()) {
                        return rows;
                    }
                }
                return Optional.empty();
            }

            @Override
            public String lookedAt(TaskDefinition task) {
                List<String> places = new ArrayList<>();
                chain.forEach(source -> places.add(source.lookedAt(task)));
                return String.join("; ", places);
            }
        };
    }
}
