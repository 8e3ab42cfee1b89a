package dev.aqlm.spark.generate;

import dev.aqlm.runtime.engine.GenerationOptions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.errors.AqlmException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import dev.aqlm.runtime.engine.Speculation;

/** The bulk-generate command line turned into a job spec (no Spark needed). */
class BulkGenerateCommandTest {
    private static GenerateJobSpec spec(String... args) {
        BulkGenerateCommand command = new BulkGenerateCommand();
        new CommandLine(command).parseArgs(args);
        return command.toSpec();
    }

    @Test
    void defaultsAreParquetGreedyNewOutput() {
        GenerateJobSpec spec = spec("--model", "org/model", "--input", "p.jsonl", "--output", "out");
        assertEquals(OutputFormat.PARQUET, spec.outputFormat());
        assertEquals(GenerateJobSpec.OutputMode.CREATE, spec.mode());
        assertNull(spec.inputFormat(), "inferred from the file name");
        assertNull(spec.generation().idColumn());
        assertEquals("prompt", spec.generation().promptColumn());
        assertEquals(0.0, spec.generation().defaults().values().temperature());
        assertEquals((Integer) 128, spec.generation().defaults().values().get(GenerationOptions.MAX_NEW_TOKENS));
        assertTrue(spec.generation().rowOverrides());
        assertTrue(!spec.generation().defaults().values().get(GenerationOptions.TRUNCATE_PROMPTS), "over-long prompts are error rows by default");
        assertEquals(EngineOptions.BackendKind.AUTO, spec.generation().engine().backend());
    }

    @Test
    void samplingEngineAndOutputOptionsArrive() {
        GenerateJobSpec spec = spec("--model", "m", "--input", "in", "--input-format", "csv", "--output", "out",
                "--output-format", "jsonl", "--resume", "--temperature", "0.7", "--top-p", "0.9", "--seed", "5",
                "--max-new-tokens", "64", "--slots", "16", "--backend", "cpu", "--chat", "--no-row-overrides",
                "--commit-every", "100", "--partitions", "8", "--stop", "###", "--truncate-prompts");
        assertEquals(InputFormat.CSV, spec.inputFormat());
        assertEquals(OutputFormat.JSONL, spec.outputFormat());
        assertEquals(GenerateJobSpec.OutputMode.RESUME, spec.mode());
        assertEquals(0.7, spec.generation().defaults().values().temperature());
        assertEquals((Double) 0.9, spec.generation().defaults().values().get(GenerationOptions.TOP_P));
        assertEquals((Long) 5L, spec.generation().defaults().values().get(GenerationOptions.SEED));
        assertEquals((Integer) 64, spec.generation().defaults().values().get(GenerationOptions.MAX_NEW_TOKENS));
        assertEquals(16, spec.generation().engine().slots());
        assertEquals(EngineOptions.BackendKind.CPU, spec.generation().engine().backend());
        assertTrue(spec.generation().defaults().applyChatTemplate());
        assertEquals(java.util.List.of("###"), spec.generation().defaults().values().get(GenerationOptions.STOP));
        assertEquals(100, spec.commitEveryRows());
        assertEquals(8, spec.generation().partitions());
        assertTrue(!spec.generation().rowOverrides());
        assertTrue(spec.generation().defaults().values().get(GenerationOptions.TRUNCATE_PROMPTS));
    }

    @Test
    void contradictionsAndUnknownFormatsAreRefusedByName() {
        AqlmException both = assertThrows(AqlmException.class,
                () -> spec("--model", "m", "--input", "i", "--output", "o", "--resume", "--overwrite"));
        assertTrue(both.getMessage().contains("--resume and --overwrite"), both.getMessage());
        AqlmException format = assertThrows(AqlmException.class,
                () -> spec("--model", "m", "--input", "i", "--output", "o", "--input-format", "xml"));
        assertTrue(format.getMessage().contains("--input-format 'xml'"), format.getMessage());
    }

    @Test
    void speculationOptionsArriveAsOneSetting() {
        assertEquals(Speculation.NONE, spec("--model", "m", "--input", "i", "--output", "o")
                .generation().defaults().values().speculation());
        assertEquals(new Speculation.PromptLookup(4, 3), spec("--model", "m", "--input", "i", "--output", "o",
                "--prompt-lookup-tokens", "4", "--prompt-lookup-ngram", "3").generation().defaults().values()
                .speculation());
        assertEquals(new Speculation.Assistant("org/small", 5), spec("--model", "m", "--input", "i", "--output", "o",
                "--assistant-model", "org/small").generation().defaults().values().speculation());
        AqlmException both = assertThrows(AqlmException.class, () -> spec("--model", "m", "--input", "i", "--output",
                "o", "--prompt-lookup-tokens", "4", "--assistant-model", "org/small").generation().defaults()
                .values().speculation());
        assertTrue(both.getMessage().contains("choose one"), both.getMessage());
        // The settings table checks a value as picocli sets it: a bad one is a usage error naming the option.
        CommandLine.ParameterException zero = assertThrows(CommandLine.ParameterException.class, () -> spec("--model",
                "m", "--input", "i", "--output", "o", "--prompt-lookup-tokens", "0"));
        assertTrue(zero.getMessage().contains("--prompt-lookup-tokens must be at least 1"), zero.getMessage());
    }
}
