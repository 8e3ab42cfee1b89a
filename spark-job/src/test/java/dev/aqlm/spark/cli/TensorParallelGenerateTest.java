package dev.aqlm.spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code aqlm-spark generate --tensor-parallel N} as a user runs it, in its own JVM with the launcher's flags. */
class TensorParallelGenerateTest {
    private static final String MODEL = "llama-mistraltok-aqlm-2x8";

    @TempDir
    Path dir;

    /** Runs generate; returns {exit code, stdout, stderr}. */
    private String[] generate(String name, String... more) throws Exception {
        return generate(dir, name, java.util.Map.of(), more);
    }

    /** Runs generate in {@code dir} with these environment variables added; returns {exit code, stdout, stderr}. */
    static String[] generate(Path dir, String name, java.util.Map<String, String> environment, String... more)
            throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("generate", "--model", Fixtures.model(MODEL).toString(),
                "--prompt", "Hello my name is", "--max-new-tokens", "12", "--context-length", "64", "--threads", "2"));
        args.addAll(List.of(more));
        Path out = dir.resolve(name + ".out");
        Path err = dir.resolve(name + ".err");
        ProcessBuilder builder = new ProcessBuilder(CliProcess.command(List.of(), args.toArray(String[]::new)))
                .directory(dir.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        assertTrue(process.waitFor(3, TimeUnit.MINUTES), name + " finished");
        return new String[] {String.valueOf(process.exitValue()), Files.readString(out), Files.readString(err)};
    }

    @Test
    void twoShardsPrintTheTextOfOne() throws Exception {
        String[] single = generate("tp1", "--backend", "cpu");
        String[] sharded = generate("tp2", "--backend", "cpu", "--tensor-parallel", "2");
        assertEquals("0", single[0], single[2]);
        assertEquals("0", sharded[0], sharded[2]);
        assertTrue(single[1].strip().length() > 0, "TP-1 printed a completion");
        assertEquals(single[1], sharded[1]);
        assertTrue(sharded[2].contains("shard 1/2"), "the load log names each shard:\n" + sharded[2]);
    }

    @Test
    void aShardCountTheModelCannotSplitIsOneLineListingTheValidCounts() throws Exception {
        String[] result = generate("tp3", "--backend", "cpu", "--tensor-parallel", "3");
        assertNotEquals("0", result[0]);
        assertEquals("", result[1]);
        assertTrue(result[2].contains("valid --tensor-parallel values for this model: 1, 2, 4"), result[2]);
    }
}
