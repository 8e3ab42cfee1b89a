package dev.aqlm.spark.notebook;

import dev.aqlm.runtime.generation.GeneratedRow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.aqlm.runtime.Fixtures;
import dev.aqlm.spark.eval.ModelResults;
import dev.aqlm.spark.eval.TaskMetrics;
import dev.aqlm.spark.generate.GeneratedRows;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Runs notebooks/aqlm-quickstart.zpln as Zeppelin's Spark interpreter would: its %spark paragraphs in order, each
 * interpreted by a real Scala 2.13 REPL ({@link ZeppelinScalaInterpreter}) on the test classpath, which stands for
 * the jar the note's %spark.conf paragraph loads; %md and %spark.conf paragraphs are for Zeppelin itself. {@code spark}
 * is a real local SparkSession built as Zeppelin builds one, without aqlm-spark's session settings; {@code z} is the
 * only stand-in ({@link ZeppelinContextStandIn}), since Zeppelin is no dependency. A paragraph that no longer compiles
 * or throws fails the build, with its text and the interpreter's output, instead of failing its first reader.
 */
class ZeppelinNoteTest {
    private static final Path NOTE = Fixtures.root().getParent().resolve("notebooks").resolve("aqlm-quickstart.zpln");

    @Test
    void quickstartNoteGeneratesACompletionPerPromptAndScoresArcEasy() {
        ZeppelinNote note = ZeppelinNote.read(NOTE);
        assertFalse(note.sparkScalaParagraphs().isEmpty(), NOTE + " has no %spark paragraphs");
        SparkSession spark = SparkSession.builder().appName("ZeppelinNoteTest").master("local[2]")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false").getOrCreate();
        ZeppelinContextStandIn z = new ZeppelinContextStandIn();
        try (ZeppelinScalaInterpreter scala = new ZeppelinScalaInterpreter()) {
            scala.bind("spark", spark);
            scala.bind("z", z);
            for (ZeppelinNote.Paragraph paragraph : note.sparkScalaParagraphs()) {
                ZeppelinScalaInterpreter.Outcome outcome = scala.interpret(paragraph.code());
                System.out.println("---- " + note.name() + " " + paragraph.describe() + ": " + outcome.result() + "\n"
                        + outcome.output());
                if (!outcome.succeeded()) {
                    fail(note.name() + " " + paragraph.describe() + " failed (" + outcome.result() + "):\n"
                            + paragraph.text() + "\n---- interpreter output ----\n" + outcome.output());
                }
            }

            List<String> promptIds = ids(((Dataset<?>) scala.value("prompts")).toDF());
            assertEquals(1, z.shown().size(), "the note shows its completions once");
            ZeppelinContextStandIn.ShownTable completions = z.shown().get(0);
            assertEquals(Arrays.asList(GeneratedRows.SCHEMA.fieldNames()), completions.columns(),
                    "the schema bulk-generate writes");
            assertEquals(Set.copyOf(promptIds), completions.rows().stream()
                    .map(row -> row.<String>getAs(GeneratedRow.ID)).collect(Collectors.toSet()));
            assertEquals(promptIds.size(), completions.rows().size(), "one row per prompt");
            for (Row row : completions.rows()) {
                assertNull(row.getAs(GeneratedRow.ERROR), row.toString());
                assertTrue((int) row.getAs(GeneratedRow.COMPLETION_TOKENS) > 0, row.toString());
                assertFalse(row.<String>getAs(GeneratedRow.COMPLETION).isEmpty(), row.toString());
            }
            assertEquals(0.0, completions.rows().stream().filter(row -> "capital".equals(row.getAs(GeneratedRow.ID)))
                    .findFirst().orElseThrow().<Double>getAs("temperature"), "the row's temperature column was used");

            @SuppressWarnings("unchecked")
            List<ModelResults> results = (List<ModelResults>) scala.value("results");
            assertEquals(1, results.size());
            ModelResults scored = results.get(0);
            assertTrue(scored.succeeded(), scored.error());
            assertTrue(Files.isRegularFile(scored.resultsFile()), "lm-eval's results file " + scored.resultsFile());
            TaskMetrics arcEasy = scored.metrics().stream().filter(m -> m.task().name().equals("arc_easy")).findFirst()
                    .orElseThrow(() -> new AssertionError("no arc_easy in " + scored.metrics()));
            double accuracy = ((Number) arcEasy.results().get("acc,none")).doubleValue();
            assertTrue(accuracy >= 0 && accuracy <= 1, "acc " + accuracy);
        } finally {
            spark.stop();
        }
    }

    private static List<String> ids(Dataset<Row> prompts) {
        return prompts.select("id").collectAsList().stream().map(row -> row.getString(0)).toList();
    }
}
