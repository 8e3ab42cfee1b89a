package dev.aqlm.spark.eval;

import java.util.List;

/** No source has a task's data: says where it was looked for and what to put there. */
public class DatasetNotFoundException extends TaskDataException {
    public DatasetNotFoundException(TaskDefinition task, List<String> lookedAt) {
        super(message(task, lookedAt));
    }

    private static String message(TaskDefinition task, List<String> lookedAt) {
        TaskDefinition.HubDataset hub = task.dataset();
        String dataset = hub.path() + (hub.config() == null ? "" : " (configuration " + hub.config() + ")");
        return task.name() + ": no dataset found; looked for " + String.join("; ", lookedAt) + ". Provide the "
                + hub.split() + " split of the Hugging Face dataset " + dataset + " in its own schema, as "
                + task.name() + ".parquet (e.g. that split's parquet file from the dataset repository, renamed) or "
                + task.name() + ".jsonl (one JSON object per line), or a folder " + task.name()
                + "/ of such files, in the --data folder.";
    }
}
