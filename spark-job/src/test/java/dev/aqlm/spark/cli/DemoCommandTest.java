package dev.aqlm.spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The README's first command, end to end: synthetic model, local Spark, bundled prompts, summary. */
class DemoCommandTest {
    @Test
    void demoWritesAModelGeneratesEveryBundledPromptAndSaysTheTextIsMeaningless(@TempDir Path work) {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        int exit;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            exit = new CommandLine(new AqlmSparkCli()).execute("demo", "--work-dir", work.toString(),
                    "--max-new-tokens", "4", "--backend", "cpu");
        } finally {
            System.setOut(stdout);
        }
        String printed = captured.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        assertEquals(0, exit);
        assertTrue(Files.isRegularFile(work.resolve("model-small-aqlm-2x8/model.safetensors")));
        assertTrue(printed.contains("24 generated this run (0 with an error)"), printed);
        assertTrue(printed.contains("its text is") && printed.contains("meaningless"), printed);
        assertTrue(printed.contains("--model ISTA-DASLab/"), "shows how to run a real model");
        assertTrue(printed.contains(work.resolve("output").toString()), "says where the output is");
    }
}
