package dev.aqlm.runtime.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aqlm.runtime.io.OutputFile;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Compares rows with their baselines, prints the table and writes the JSON of a bench run. */
public final class BenchReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final List<BenchResult> rows = new ArrayList<>();
    private final String command;

    public BenchReport(String command) {
        this.command = command;
    }

    public void add(BenchResult row) {
        rows.add(row);
    }

    /**
     * Each row of another model is compared with the same phase, batch and graph mode of the first model measured
     * (the baseline), where that was measured.
     */
    public List<BenchResult> comparedWithFirst() {
        if (rows.isEmpty()) {
            return List.of();
        }
        BenchResult first = rows.get(0);
        List<BenchResult> compared = new ArrayList<>();
        for (BenchResult row : rows) {
            BenchResult base = rows.stream().filter(b -> b.sameModelAs(first)
                    && b.phase().equals(row.phase()) && b.batch() == row.batch() && b.graphs() == row.graphs()
                    && b.tokensPerStep() == row.tokensPerStep()).findFirst().orElse(null);
            compared.add(base == null || row.sameModelAs(base) ? row : row.comparedWith(base));
        }
        return compared;
    }

    public static void printTable(List<BenchResult> rows, PrintStream out) {
        out.printf("| %-22s | %-13s | %-28s | %-7s | %5s | %6s | %10s | %9s | %12s | %2s | %13s | %-32s |%n",
                "model", "format", "device", "phase", "batch", "graphs", "tokens/s", "ms/step", "weights MB", "tp",
                "per-device MB", "vs baseline");
        out.println("|" + "-".repeat(24) + "|" + "-".repeat(15) + "|" + "-".repeat(30) + "|" + "-".repeat(9) + "|"
                + "-".repeat(7) + "|" + "-".repeat(8) + "|" + "-".repeat(12) + "|" + "-".repeat(11) + "|"
                + "-".repeat(14) + "|" + "-".repeat(4) + "|" + "-".repeat(15) + "|" + "-".repeat(34) + "|");
        for (BenchResult r : rows) {
            String versus = Double.isNaN(r.speedup()) ? "" : String.format("%.2fx %s", r.speedup(), r.baseline());
            out.printf("| %-22s | %-13s | %-28s | %-7s | %5d | %6s | %10.1f | %9.2f | %12.1f | %2d | %13.1f | %-32s |%n",
                    r.model(), r.format(), r.device(), r.phase(), r.batch(), r.graphs() ? "on" : "off",
                    r.tokensPerSecond(), r.millisecondsPerStep(), r.weightBytes() / 1e6, r.tensorParallel(),
                    r.shardWeightBytes() / 1e6, versus);
        }
    }

    /** The JSON of a plain bench run: the command, the JVM and its CPUs, the rows. */
    public static void writeJson(List<BenchResult> rows, String command, OutputFile file) {
        write(document(command, machine(), rows), file);
    }

    /** What a plain bench run says of its machine: the JVM and its CPUs. */
    public static ObjectNode machine() {
        ObjectNode machine = JSON.createObjectNode();
        machine.put("java", System.getProperty("java.version"));
        machine.put("cpus", Runtime.getRuntime().availableProcessors());
        return machine;
    }

    /** A bench run's JSON document: the command and date, what the caller says of the machine, then the rows. */
    public static ObjectNode document(String command, ObjectNode machine, List<BenchResult> rows) {
        ObjectNode root = JSON.createObjectNode();
        root.put("command", command);
        root.put("date", Instant.now().toString());
        root.setAll(machine);
        ArrayNode results = root.putArray("results");
        for (BenchResult r : rows) {
            ObjectNode node = JSON.valueToTree(r);
            node.put("millisecondsPerStep", r.millisecondsPerStep());
            if (Double.isNaN(r.speedup())) {
                node.putNull("speedup");
            }
            results.add(node);
        }
        return root;
    }

    public static void write(ObjectNode document, OutputFile file) {
        file.write(out -> out.write(JSON.writeValueAsBytes(document)));
    }

    public String command() {
        return command;
    }
}
