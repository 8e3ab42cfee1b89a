package dev.aqlm.spark.eval;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aqlm.runtime.io.OutputFile;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Where lm-eval puts its files: {@code <output>/<model_sanitized>/results_<date>.json} and
 * {@code samples_<task>_<date>.jsonl}, the date being Python's local {@code datetime.now().isoformat()} with ':'
 * replaced by '-'.
 */
public final class OutputFiles {
    private static final Pattern UNSAFE = Pattern.compile("[\"<>:/|\\\\?*\\[\\]]+");
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss");

    private final Path folder;
    private final String date;

    public OutputFiles(Path output, String model, LocalDateTime now) {
        this.folder = output.resolve(sanitizeModelName(model));
        this.date = dateId(now);
    }

    /** lm-eval's {@code sanitize_model_name}: runs of characters unsafe in file names become "__". */
    public static String sanitizeModelName(String model) {
        return UNSAFE.matcher(model).replaceAll("__");
    }

    /** {@code isoformat()} prints microseconds only when they are not zero. */
    static String dateId(LocalDateTime time) {
        int micros = time.getNano() / 1000;
        return time.format(SECONDS) + (micros == 0 ? "" : String.format(".%06d", micros));
    }

    public Path folder() {
        return folder;
    }

    public Path resultsFile() {
        return folder.resolve("results_" + date + ".json");
    }

    public Path samplesFile(String task) {
        return folder.resolve("samples_" + task + "_" + date + ".jsonl");
    }

    /** Writes the results file whole or not at all; its dated name is new, so nothing is ever replaced. */
    public Path writeResults(ObjectNode results) {
        Path file = resultsFile();
        OutputFile.createNew(file, "a results file").write(out -> out.write((ResultsDocument.JSON
                .writerWithDefaultPrettyPrinter().writeValueAsString(results) + "\n").getBytes(StandardCharsets.UTF_8)));
        return file;
    }

    public Path writeSamples(String task, List<ObjectNode> records) {
        Path file = samplesFile(task);
        OutputFile.createNew(file, "a samples file").write(out -> {
            Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
            for (ObjectNode record : records) {
                writer.write(ResultsDocument.JSON.writeValueAsString(record));
                writer.write('\n');
            }
            writer.flush();
        });
        return file;
    }
}
