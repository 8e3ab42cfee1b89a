package dev.aqlm.spark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aqlm.runtime.cuda.GpuTests;
import dev.aqlm.spark.executor.PoisonedProcessGuard;
import dev.aqlm.spark.generate.JobSpecs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The poisoned-context path, for real: on the CUDA emulator a kernel launch of a bulk-generate job faults (the
 * emulator's CUEMU_FAULT_AT_LAUNCH drill), the fault is sticky as on a GPU, the CUDA backend reports it as poisoning
 * the context, and the executor JVM (here the local-mode driver) halts with exit code 70 instead of retrying tasks on
 * a broken device.
 */
@Tag("gpu")
class CudaKernelFaultTest {
    @Test
    void aKernelFaultHaltsTheExecutorJvmWithExitCode70(@TempDir Path dir) throws Exception {
        assumeTrue(GpuTests.requireDevice().isEmulated(), "the fault drill is the CUDA emulator's");
        Path prompts = CudaBulkGenerateTest.demoPrompts(dir);
        Path log = dir.resolve("job.log");
        Process job = CliProcess.start(dir, log, CliProcess.command(List.of(), "bulk-generate",
                        "--model", JobSpecs.modelDirectory().toString(), "--input", prompts.toString(),
                        "--output", dir.resolve("out").toString(), "--backend", "cuda", "--max-new-tokens", "8",
                        "--context-length", "128", "--progress-interval", "0"),
                Map.of("AQLM_CUDA_EMULATOR", "1", "CUEMU_FAULT_AT_LAUNCH", "30"));
        boolean finished = job.waitFor(5, TimeUnit.MINUTES);
        if (!finished) {
            job.destroyForcibly();
        }
        String output = Files.readString(log);
        assertThat(finished).as(output).isTrue();
        assertThat(job.exitValue()).as(output).isEqualTo(PoisonedProcessGuard.EXIT_CODE);
        assertThat(output).contains("CUDA_ERROR_ILLEGAL_ADDRESS").contains("injected fault (CUEMU_FAULT_AT_LAUNCH=30)")
                .contains("the CUDA context is unusable from now on").contains("exit code 70");
    }
}
