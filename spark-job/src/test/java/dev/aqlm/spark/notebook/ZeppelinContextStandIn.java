package dev.aqlm.spark.notebook;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Stands in for Zeppelin's ZeppelinContext, the {@code z} that Zeppelin binds in its Spark interpreter: Zeppelin is
 * not a dependency of this project, and this is the only stand-in the note's test uses (Spark and the Scala
 * interpreter are real). It offers what the notes call, with Zeppelin's signatures: {@code show(Object)} and
 * {@code show(Object, int)}. Like Zeppelin it takes up to maxResult rows of a Dataset (1000 by default, Zeppelin's
 * zeppelin.spark.maxResult) and prints them as Zeppelin's %table text; it also keeps them for the test to check.
 */
public final class ZeppelinContextStandIn {
    private static final int MAX_RESULT = 1000;

    /** A table as the note showed it. */
    public record ShownTable(List<String> columns, List<Row> rows) {
    }

    private final List<ShownTable> shown = new ArrayList<>();

    public void show(Object value) {
        show(value, MAX_RESULT);
    }

    public void show(Object value, int maxResult) {
        if (!(value instanceof Dataset<?> dataset)) {
            throw new IllegalArgumentException("z.show takes a Dataset in this test, got "
                    + (value == null ? "null" : value.getClass().getName()));
        }
        Dataset<Row> frame = dataset.toDF();
        List<Row> rows = frame.limit(maxResult).collectAsList();
        ShownTable table = new ShownTable(List.of(frame.columns()), rows);
        shown.add(table);
        StringBuilder text = new StringBuilder("%table ").append(String.join("\t", table.columns())).append('\n');
        for (Row row : rows) {
            for (int i = 0; i < row.length(); i++) {
                text.append(i > 0 ? "\t" : "").append(String.valueOf(row.get(i)).replaceAll("[\t\n]", " "));
            }
            text.append('\n');
        }
        System.out.print(text); // Zeppelin's interpreter points System.out at the paragraph's output while it runs
    }

    public List<ShownTable> shown() {
        return List.copyOf(shown);
    }
}
