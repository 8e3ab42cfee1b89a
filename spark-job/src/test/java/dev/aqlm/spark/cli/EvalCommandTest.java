package dev.aqlm.spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.aqlm.runtime.scoring.ScoringRules;
import dev.aqlm.spark.sweep.SweepSpec;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The eval --spark command line into the sweep job's spec. */
class EvalCommandTest {
    @Test
    void evalOnSparkHasEvalsDefaults() {
        EvalCommand command = new EvalCommand();
        new CommandLine(command).parseArgs("--model", "org/a", "--tasks", "piqa", "--data", "d", "--output", "o",
                "--spark");
        SweepSpec spec = command.toSparkSpec();
        assertEquals(List.of("org/a"), spec.models());
        assertNull(spec.maxLength(), "the model's max_position_embeddings, settled on the executors");
        assertEquals(ScoringRules.CURRENT, spec.rules());
        assertEquals(0, spec.partitions(), "the cluster's default parallelism");
        assertEquals(SweepSpec.DEFAULT_REQUESTS_PER_CALL, spec.requestsPerCall());
    }
}
