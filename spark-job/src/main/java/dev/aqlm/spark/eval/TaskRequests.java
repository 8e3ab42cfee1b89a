package dev.aqlm.spark.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A task's documents and the model requests they need: built once (on a Spark driver, or in the single-process
 * evaluation), scored anywhere, and gathered by {@link TaskMetrics#aggregate}.
 */
public final class TaskRequests {
    private final TaskDefinition task;
    private final List<TaskDocument> documents;
    private final int originalCount;

    private TaskRequests(TaskDefinition task, List<TaskDocument> documents, int originalCount) {
        this.task = task;
        this.documents = List.copyOf(documents);
        this.originalCount = originalCount;
    }

    /**
     * The requests for the first documents of the split, in dataset order, as lm-eval's {@code --limit} takes them.
     *
     * @param limit null for every document; below 1.0 a fraction (rounded up); otherwise a count
     */
    public static TaskRequests build(TaskDefinition task, List<JsonNode> rows, Double limit) {
        int count = effectiveCount(rows.size(), limit);
        List<TaskDocument> documents = new ArrayList<>(count);
        for (int docId = 0; docId < count; docId++) {
            documents.add(task.document(docId, rows.get(docId)));
        }
        return new TaskRequests(task, documents, rows.size());
    }

    static int effectiveCount(int total, Double limit) {
        if (limit == null) {
            return total;
        }
        if (!(limit > 0)) {
            throw new TaskDataException("--limit must be positive (a count, or a fraction below 1), got " + limit);
        }
        return limit < 1.0 ? (int) Math.ceil(total * limit) : (int) Math.min(total, Math.floor(limit));
    }

    public TaskDefinition task() {
        return task;
    }

    public List<TaskDocument> documents() {
        return documents;
    }

    /** Documents in the split, before {@code --limit}. */
    public int originalCount() {
        return originalCount;
    }

    /** Every request of every document, in document order. */
    public List<EvalRequest> requests() {
        List<EvalRequest> all = new ArrayList<>();
        for (TaskDocument document : documents) {
            all.addAll(document.requests());
        }
        return all;
    }
}
