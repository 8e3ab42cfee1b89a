package dev.aqlm.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aqlm.runtime.cuda.CudaDevice;
import dev.aqlm.runtime.cuda.GpuTests;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The engine commands on the CUDA backend, as a user runs them (on a GPU, or on the CUDA emulator in every build). */
@Tag("gpu")
class CudaCommandLineTest {
    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = RuntimeCli.execute(new RuntimeCli(), args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
    }

    private static String model() {
        return dev.aqlm.runtime.Fixtures.model("llama-mistraltok-aqlm-2x8").toString();
    }

    @Test
    void generateOnCudaPrintsWhatTheCpuPrints() {
        GpuTests.requireDevice();
        String[] common = {"generate", "--model", model(), "--prompt", "The capital of France is",
            "--max-new-tokens", "12"};
        Run cpu = run(concat(common, "--backend", "cpu"));
        Run cuda = run(concat(common, "--backend", "cuda"));
        assertThat(cpu.exit()).isZero();
        assertThat(cuda.exit()).as(cuda.err()).isZero();
        assertThat(cuda.out()).isEqualTo(cpu.out()).isNotBlank();
        assertThat(cuda.err()).contains("cuda:0");
    }

    @Test
    void infoNamesTheDevicesAndTheEmulatorSaysItIsOne() {
        CudaDevice device = GpuTests.requireDevice();
        Run info = run("info");
        assertThat(info.exit()).isZero();
        assertThat(info.out()).contains("CUDA backend usable on cuda:0");
        if (device.isEmulated()) {
            assertThat(info.out()).contains("CUDA emulator (emulated").contains("proves logic, never speed");
        }
    }

    @Test
    void benchRefusesToMeasureSpeedOnTheEmulator() {
        assumeTrue(GpuTests.requireDevice().isEmulated(), "the emulator's refusal");
        Run bench = run("bench", "--model", model(), "--backend", "cuda", "--batch", "1", "--decode-steps", "2");
        assertThat(bench.exit()).isEqualTo(1);
        assertThat(bench.err()).contains("error: bench measures speed").contains("proves logic, never speed");
        Run gpuBench = run("gpu-bench", "--shape", "tiny");
        assertThat(gpuBench.exit()).isEqualTo(1);
        assertThat(gpuBench.err()).contains("error: gpu-bench measures speed");
    }

    private static String[] concat(String[] first, String... more) {
        String[] all = java.util.Arrays.copyOf(first, first.length + more.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }
}
