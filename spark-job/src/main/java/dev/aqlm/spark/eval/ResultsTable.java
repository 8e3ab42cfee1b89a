package dev.aqlm.spark.eval;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * lm-eval's printed results ({@code make_table}): columns Tasks, Version, Filter, n-shot, Metric, ↑/↓, Value, ±,
 * Stderr; one row per metric in key order; the task name and version only on a task's first row; values as
 * {@code %.4f}, a missing stderr as "   N/A".
 */
public final class ResultsTable {
    private static final List<String> HEADERS =
            List.of("Tasks", "Version", "Filter", "n-shot", "Metric", "", "Value", "", "Stderr");

    private ResultsTable() {
    }

    /** The table for tasks in the given order (the evaluation sorts them by name, as lm-eval does). */
    public static String render(List<TaskMetrics> tasks) {
        MarkdownTable table = new MarkdownTable(HEADERS);
        for (TaskMetrics metrics : tasks) {
            String task = metrics.task().name();
            String version = version(metrics.task().version());
            Map<String, Object> sorted = new TreeMap<>(metrics.results());
            for (Map.Entry<String, Object> entry : sorted.entrySet()) {
                String[] keyParts = entry.getKey().split(",", 2);
                String metric = keyParts[0];
                String filter = keyParts.length > 1 ? keyParts[1] : "";
                if (metric.endsWith("_stderr")) {
                    continue;
                }
                List<String> row = new ArrayList<>(List.of(task, version, filter, "0", metric,
                        arrow(metrics.task(), metric), formatValue(entry.getValue())));
                Object stderr = metrics.results().get(metric + "_stderr," + filter);
                if (stderr == null) {
                    row.addAll(List.of("", ""));
                } else {
                    row.addAll(List.of("±", TaskMetrics.NOT_AVAILABLE.equals(stderr) ? "   N/A" : formatValue(stderr)));
                }
                table.addRow(row);
                task = "";
                version = "";
            }
        }
        return table.render();
    }

    static String version(double version) {
        return version == Math.rint(version) ? Long.toString((long) version) : PythonFloats.repr(version);
    }

    private static String arrow(TaskDefinition task, String metricKey) {
        for (Metric metric : task.metrics()) {
            if (metric.key().equals(metricKey)) {
                return metric.higherIsBetter() ? "↑" : "↓";
            }
        }
        return "";
    }

    /** Python's {@code "%.4f" % value}: the exact binary value, rounded half to even. */
    static String formatValue(Object value) {
        if (!(value instanceof Double number)) {
            return String.valueOf(value);
        }
        if (number.isNaN() || number.isInfinite()) {
            return number.isNaN() ? "nan" : number > 0 ? "inf" : "-inf";
        }
        String text = new BigDecimal(number).setScale(4, RoundingMode.HALF_EVEN).toPlainString();
        boolean negative = number < 0 || (number == 0 && 1 / number < 0);
        return negative && !text.startsWith("-") ? "-" + text : text;
    }
}
