package dev.aqlm.spark.eval;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aqlm.runtime.io.OutputFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Several models' results side by side, as a sweep reports them: a Markdown table with a row per task and metric and
 * a column per model ("value ± stderr", formatted as lm-eval's table formats them), and the same numbers as long
 * rows (model, task, version, filter, metric, higher_is_better, value, stderr) in sweep_&lt;date&gt;.json (with each
 * model's results file, device, timing and any error) and sweep_&lt;date&gt;.csv.
 */
public final class CombinedResults {
    private static final List<String> CSV_COLUMNS =
            List.of("model", "task", "version", "filter", "metric", "higher_is_better", "value", "stderr");

    private final List<ModelResults> models;

    public CombinedResults(List<ModelResults> models) {
        this.models = List.copyOf(models);
    }

    /** One value of one model. */
    private record Row(String model, TaskDefinition task, String filter, Metric metric, Object value, Object stderr) {
    }

    private List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (ModelResults model : models) {
            for (TaskMetrics task : model.metrics()) {
                for (Map.Entry<String, Object> entry : new TreeMap<>(task.results()).entrySet()) {
                    String[] key = entry.getKey().split(",", 2);
                    if (key[0].endsWith("_stderr")) {
                        continue;
                    }
                    String filter = key.length > 1 ? key[1] : "";
                    rows.add(new Row(model.model(), task.task(), filter, metric(task.task(), key[0]), entry.getValue(),
                            task.results().get(key[0] + "_stderr," + filter)));
                }
            }
        }
        return rows;
    }

    private static Metric metric(TaskDefinition task, String key) {
        return task.metrics().stream().filter(metric -> metric.key().equals(key)).findFirst()
                .orElseThrow(() -> new IllegalStateException(task.name() + " has no metric " + key));
    }

    /** Tasks (sorted by name, as lm-eval sorts them) down, models (in sweep order) across. */
    public String markdown() {
        List<String> scored = models.stream().filter(ModelResults::succeeded).map(ModelResults::model).toList();
        // One line per (task, metric, filter), in that order; each holds the models' rows.
        Map<List<String>, Map<String, Row>> lines = new TreeMap<>(Comparator.comparing((List<String> key) -> key.get(0))
                .thenComparing(key -> key.get(1)).thenComparing(key -> key.get(2)));
        for (Row row : rows()) {
            lines.computeIfAbsent(List.of(row.task().name(), row.metric().key(), row.filter()),
                    key -> new LinkedHashMap<>()).put(row.model(), row);
        }
        List<String> headers = new ArrayList<>(List.of("Tasks", "Version", "Filter", "Metric", ""));
        headers.addAll(scored);
        MarkdownTable table = new MarkdownTable(headers);
        String previousTask = null;
        for (Map<String, Row> byModel : lines.values()) {
            Row first = byModel.values().iterator().next();
            boolean newTask = !first.task().name().equals(previousTask);
            previousTask = first.task().name();
            List<String> cells = new ArrayList<>(List.of(newTask ? first.task().name() : "",
                    newTask ? ResultsTable.version(first.task().version()) : "", first.filter(), first.metric().key(),
                    first.metric().higherIsBetter() ? "↑" : "↓"));
            scored.forEach(model -> cells.add(byModel.containsKey(model) ? cell(byModel.get(model)) : ""));
            table.addRow(cells);
        }
        return table.render();
    }

    private static String cell(Row row) {
        String value = ResultsTable.formatValue(row.value());
        if (row.stderr() == null || TaskMetrics.NOT_AVAILABLE.equals(row.stderr())) {
            return value;
        }
        return value + " ± " + ResultsTable.formatValue(row.stderr());
    }

    /** The sweep's JSON: each model's run (or error) and every value as a row. */
    public ObjectNode json(double unixTime) {
        ObjectNode root = ResultsDocument.JSON.createObjectNode();
        root.put("date", unixTime);
        ArrayNode entries = root.putArray("models");
        for (ModelResults model : models) {
            ObjectNode entry = entries.addObject();
            entry.put("model", model.model());
            if (model.succeeded()) {
                entry.put("model_args", model.run().modelArgs());
                entry.put("results_file", model.resultsFile().toString());
                entry.put("device", model.run().device());
                entry.put("batch_size", model.run().batchSize());
                entry.put("total_evaluation_time_seconds", Double.toString(model.run().seconds()));
                entry.put("throughput", model.run().throughput());
                entry.putNull("error");
            } else {
                entry.put("error", model.error());
            }
        }
        ArrayNode values = root.putArray("results");
        for (Row row : rows()) {
            ObjectNode value = values.addObject();
            value.put("model", row.model());
            value.put("task", row.task().name());
            value.put("version", row.task().version());
            value.put("filter", row.filter());
            value.put("metric", row.metric().key());
            value.put("higher_is_better", row.metric().higherIsBetter());
            putNumberOrText(value, "value", row.value());
            putNumberOrText(value, "stderr", row.stderr());
        }
        return root;
    }

    private static void putNumberOrText(ObjectNode node, String field, Object value) {
        if (value instanceof Double number) {
            node.put(field, number);
        } else if (value == null) {
            node.putNull(field);
        } else {
            node.put(field, value.toString());
        }
    }

    /** The rows as CSV with a header; numbers as Python writes them, "N/A" where lm-eval has no stderr. */
    public String csv() {
        StringBuilder csv = new StringBuilder(String.join(",", CSV_COLUMNS)).append('\n');
        for (Row row : rows()) {
            List<String> fields = List.of(row.model(), row.task().name(), ResultsTable.version(row.task().version()),
                    row.filter(), row.metric().key(), PythonFloats.repr(row.metric().higherIsBetter()),
                    text(row.value()), text(row.stderr()));
            List<String> quoted = new ArrayList<>();
            fields.forEach(field -> quoted.add(quote(field)));
            csv.append(String.join(",", quoted)).append('\n');
        }
        return csv.toString();
    }

    private static String text(Object value) {
        return value instanceof Double number ? PythonFloats.repr(number) : value == null ? "" : value.toString();
    }

    /** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
    private static String quote(String field) {
        return field.matches("(?s).*[,\"\\r\\n].*") ? "\"" + field.replace("\"", "\"\"") + "\"" : field;
    }

    /** Writes sweep_&lt;date&gt;.json and sweep_&lt;date&gt;.csv into {@code output}; returns their paths. */
    public List<Path> write(Path output, LocalDateTime now) {
        String date = OutputFiles.dateId(now);
        Path json = output.resolve("sweep_" + date + ".json");
        Path csv = output.resolve("sweep_" + date + ".csv");
        OutputFile.createNew(json, "a sweep results file").write(out -> out.write((ResultsDocument.JSON
                .writerWithDefaultPrettyPrinter().writeValueAsString(json(System.currentTimeMillis() / 1000.0)) + "\n")
                .getBytes(StandardCharsets.UTF_8)));
        OutputFile.createNew(csv, "a sweep results file").write(out -> out.write(csv().getBytes(StandardCharsets.UTF_8)));
        return List.of(json, csv);
    }
}
