package dev.aqlm.spark.eval;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * A task's numbers from its scored requests, computed as lm-eval's {@code process_results} and aggregation do: per
 * document acc / acc_norm (argmax, ties to the first choice; acc_norm divides by the choice's length in characters),
 * the lambada log-likelihood and greedy hit, or the rolling log-likelihood with word and byte counts; then the
 * aggregates and their standard errors, keyed as lm-eval keys them ({@code "acc,none"}, {@code "acc_stderr,none"}).
 */
public final class TaskMetrics {
    /** lm-eval's default number of bootstrap resamples. */
    public static final int DEFAULT_BOOTSTRAP_ITERATIONS = 100_000;
    /** The filter name lm-eval gives unfiltered results. */
    public static final String FILTER = "none";
    public static final String NOT_AVAILABLE = "N/A";

    /**
     * One document's responses and metric values: a metric's value is {value} for means and {log-likelihood, count}
     * for the weighted perplexities.
     */
    public record DocumentScores(TaskDocument document, List<ScoredRequest> responses, Map<Metric, double[]> values) {
    }

    private final TaskRequests requests;
    private final List<DocumentScores> documents;
    private final Map<String, Object> results;

    private TaskMetrics(TaskRequests requests, List<DocumentScores> documents, Map<String, Object> results) {
        this.requests = requests;
        this.documents = List.copyOf(documents);
        this.results = results;
    }

    /** @param scored responses for (at least) every request of {@code requests}; others are ignored */
    public static TaskMetrics aggregate(TaskRequests requests, Collection<ScoredRequest> scored,
                                        int bootstrapIterations) {
        TaskDefinition task = requests.task();
        Map<Long, ScoredRequest> byKey = new HashMap<>();
        for (ScoredRequest response : scored) {
            if (task.name().equals(response.getTask())) {
                byKey.put(key(response.getDocId(), response.getIndex()), response);
            }
        }
        List<DocumentScores> documents = new ArrayList<>();
        for (TaskDocument document : requests.documents()) {
            List<ScoredRequest> responses = new ArrayList<>();
            for (EvalRequest request : document.requests()) {
                ScoredRequest response = byKey.get(key(request.getDocId(), request.getIndex()));
                if (response == null) {
                    throw new TaskDataException(request + " has no score; every request must be scored before"
                            + " the metrics are computed");
                }
                responses.add(response);
            }
            documents.add(new DocumentScores(document, responses, documentValues(task, document, responses)));
        }
        Map<String, Object> results = new LinkedHashMap<>();
        for (Metric metric : task.metrics()) {
            double[] values = new double[documents.size()];
            double[] weights = new double[documents.size()];
            for (int d = 0; d < documents.size(); d++) {
                double[] value = documents.get(d).values().get(metric);
                values[d] = value[0];
                weights[d] = metric.isWeighted() ? value[1] : 1.0;
            }
            Aggregation aggregation = metric.aggregation();
            results.put(metric.key() + "," + FILTER, values.length == 0 ? NOT_AVAILABLE
                    : aggregation.aggregate(values, weights));
            OptionalDouble stderr = aggregation.stderr(values, bootstrapIterations);
            results.put(metric.key() + "_stderr," + FILTER, stderr.isPresent() ? stderr.getAsDouble() : NOT_AVAILABLE);
        }
        return new TaskMetrics(requests, documents, results);
    }

    private static long key(int docId, int index) {
        return ((long) docId << 32) | (index & 0xffffffffL);
    }

    private static Map<Metric, double[]> documentValues(TaskDefinition task, TaskDocument document,
                                                        List<ScoredRequest> responses) {
        Map<Metric, double[]> values = new EnumMap<>(Metric.class);
        switch (task.outputType()) {
            case MULTIPLE_CHOICE -> {
                double[] lls = responses.stream().mapToDouble(ScoredRequest::getLogLikelihood).toArray();
                double[] normalized = new double[lls.length];
                for (int i = 0; i < lls.length; i++) {
                    normalized[i] = lls[i] / PythonStrings.length(document.choices().get(i));
                }
                values.put(Metric.ACC, new double[] {argmax(lls) == document.gold() ? 1.0 : 0.0});
                values.put(Metric.ACC_NORM, new double[] {argmax(normalized) == document.gold() ? 1.0 : 0.0});
            }
            case LOGLIKELIHOOD -> {
                values.put(Metric.PERPLEXITY, new double[] {responses.get(0).getLogLikelihood()});
                values.put(Metric.ACC, new double[] {responses.get(0).isGreedy() ? 1.0 : 0.0});
            }
            case LOGLIKELIHOOD_ROLLING -> {
                double ll = responses.get(0).getLogLikelihood();
                values.put(Metric.WORD_PERPLEXITY, new double[] {ll, document.words()});
                values.put(Metric.BYTE_PERPLEXITY, new double[] {ll, document.bytes()});
                values.put(Metric.BITS_PER_BYTE, new double[] {ll, document.bytes()});
            }
            default -> throw new IllegalStateException(task.outputType().toString());
        }
        values.keySet().retainAll(task.metrics());
        return values;
    }

    /** numpy's argmax: the first maximum, and a NaN (e.g. from an empty choice) beats everything. */
    static int argmax(double[] values) {
        int best = 0;
        for (int i = 0; i < values.length; i++) {
            if (Double.isNaN(values[i])) {
                return i;
            }
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    public TaskDefinition task() {
        return requests.task();
    }

    public TaskRequests requests() {
        return requests;
    }

    public List<DocumentScores> documents() {
        return documents;
    }

    /** lm-eval's results entry for the task (without "alias"): metric and stderr values, or "N/A". */
    public Map<String, Object> results() {
        return results;
    }

    /** A result value by lm-eval key, e.g. {@code value("acc_norm_stderr,none")}: a Double or "N/A". */
    public Object value(String key) {
        return results.get(key);
    }

    public int effectiveCount() {
        return documents.size();
    }

    public int originalCount() {
        return requests.originalCount();
    }
}
