package dev.aqlm.spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./aqlm-spark bulk-generate} as a user types it, after the build: the console has the progress and the
 * summary, and no noise: no GPU warning from DJL's CUDA probe (printed on machines with a CUDA toolkit and no driver),
 * no Spark log4j banner, no Hadoop native-library warning.
 */
class LauncherBulkGenerateIT {
    private static final Path ROOT = Fixtures.root().getParent();

    @Test
    void bulkGenerateOnTheCpuPrintsItsSummaryAndNoNoise(@TempDir Path work) throws Exception {
        Path input = Files.write(work.resolve("prompts.jsonl"),
                List.of("{\"id\": \"a\", \"prompt\": \"Rivers flow\"}", "{\"id\": \"b\", \"prompt\": \"Stars shine\"}"));
        Path log = work.resolve("console.log");
        Process launcher = new ProcessBuilder(ROOT.resolve("aqlm-spark").toString(), "bulk-generate",
                "--model", Fixtures.model("llama-mistraltok-aqlm-2x8").toString(), "--input", input.toString(),
                "--output", work.resolve("out").toString(), "--max-new-tokens", "8")
                .directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(launcher.waitFor(3, TimeUnit.MINUTES), "finished");
        String console = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, launcher.exitValue(), console);
        assertTrue(console.contains("rows:        2 generated this run (0 with an error)"), console);
        assertFalse(console.contains("GPU count"), console);
        assertFalse(console.contains("log4j"), console);
        assertFalse(console.contains("NativeCodeLoader"), console);
    }
}
