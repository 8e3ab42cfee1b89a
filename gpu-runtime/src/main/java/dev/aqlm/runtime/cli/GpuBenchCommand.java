package dev.aqlm.runtime.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aqlm.runtime.bench.BenchReport;
import dev.aqlm.runtime.bench.BenchResult;
import dev.aqlm.runtime.bench.Benchmark;
import dev.aqlm.runtime.checkpoint.DType;
import dev.aqlm.runtime.cuda.CudaBackend;
import dev.aqlm.runtime.cuda.CudaEmulator;
import dev.aqlm.runtime.cuda.DecodeTraffic;
import dev.aqlm.runtime.cuda.SyntheticDeviceModel;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.errors.AqlmException;
import dev.aqlm.runtime.io.OutputFile;
import dev.aqlm.runtime.model.AqlmConfig;
import dev.aqlm.runtime.model.ModelConfig;
import dev.aqlm.runtime.synthetic.SyntheticModelWriter;
import dev.aqlm.runtime.synthetic.SyntheticShape;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gpu-bench}: the CUDA backend on synthetic models of a real shape, built on the device (random codes and
 * weights; no checkpoint is written). Per format: prefill tokens/s for one prompt, decode tokens/s per batch size
 * with graphs on and off, the bytes a decode step must read, and that traffic as a fraction of the device's measured
 * copy bandwidth.
 */
@Command(name = "gpu-bench", mixinStandardHelpOptions = true,
        description = "Measure the CUDA backend on synthetic models built on the GPU; prints tables and writes JSON.")
public final class GpuBenchCommand implements Callable<Integer> {
    @Option(names = "--shape", defaultValue = "llama-2-7b", description = "llama-2-7b, mid, small, tiny (default: ${DEFAULT-VALUE})")
    String shape;

    @Option(names = "--formats", split = ",", defaultValue = "none,1x16,2x8",
            description = "none (dense) or AQLM schemes; the first is the baseline (default: ${DEFAULT-VALUE})")
    List<String> formats;

    @Option(names = "--dtype", defaultValue = "float16", description = "float16 or bfloat16 (default: ${DEFAULT-VALUE})")
    String dtype;

    @Option(names = "--batch", split = ",", defaultValue = "1,16,64", description = "decode batch sizes (default: ${DEFAULT-VALUE})")
    List<Integer> batches;

    @Option(names = "--graphs", split = ",", defaultValue = "on,off", description = "decode with graphs on, off or both (default: ${DEFAULT-VALUE})")
    List<String> graphModes;

    @Option(names = "--prompt-length", defaultValue = "512", description = "prefill prompt length (default: ${DEFAULT-VALUE})")
    int promptLength;

    @Option(names = "--decode-steps", defaultValue = "64", description = "timed decode steps per batch size (default: ${DEFAULT-VALUE})")
    int decodeSteps;

    @Option(names = "--warmup-steps", defaultValue = "8", description = "untimed decode steps first (default: ${DEFAULT-VALUE})")
    int warmupSteps;

    @Option(names = "--prefill-repeats", defaultValue = "3", description = "timed prefills, averaged (default: ${DEFAULT-VALUE})")
    int prefillRepeats;

    @Option(names = "--device", defaultValue = "0", description = "CUDA device ordinal, PCI bus order")
    int device;

    @Option(names = "--probe-mib", defaultValue = "1024", description = "size of the bandwidth probe copy (default: ${DEFAULT-VALUE})")
    long probeMib;

    @Mixin BenchJsonOptions output;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** Traffic of one decode row: bytes per step, achieved bytes/s, fraction of the copy bandwidth. */
    record Traffic(BenchResult row, long bytesPerStep, double bytesPerSecond, double fractionOfCopyBandwidth) {
    }

    @Override
    public Integer call() throws IOException {
        String command = "aqlm-runtime gpu-bench " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
        CudaEmulator.refuseSpeedMeasurement("gpu-bench");
        OutputFile file = output.file("gpu-bench");
        OptionChecks.requireBenchRun(batches, promptLength, decodeSteps, warmupSteps, prefillRepeats);
        OptionChecks.requireAtLeast("--probe-mib", probeMib, 1);
        OptionChecks.requireAtLeast("--device", device, 0);
        for (String mode : graphModes) {
            if (!mode.equalsIgnoreCase("on") && !mode.equalsIgnoreCase("off")) {
                throw new AqlmException("--graphs takes on, off or on,off; got '" + mode + "'");
            }
        }
        SyntheticShape dims = SyntheticShape.preset(shape);
        DType type = DType.fromTorchName(dtype, "--dtype");
        int maxBatch = batches.stream().mapToInt(Integer::intValue).max().orElse(1);
        int prompt = 16;
        int context = Math.max(promptLength, prompt + warmupSteps + decodeSteps) + 1;
        BenchReport report = new BenchReport(command);
        List<Traffic> traffic = new ArrayList<>();
        double bandwidth = Double.NaN;
        String deviceName = "";
        for (String format : formats) {
            AqlmConfig scheme = SyntheticModelWriter.schemeOrDense(format);
            String formatName = ModelConfig.weightFormat(scheme, type);
            for (String mode : graphModes) {
                boolean graphs = mode.equalsIgnoreCase("on");
                EngineOptions options = EngineOptions.DEFAULTS.withBackend(EngineOptions.BackendKind.CUDA)
                        .withDeviceOrdinal(device).withSlots(maxBatch).withContextLength(context)
                        .withMaxPrefillTokens(promptLength).withCudaGraphs(graphs);
                System.err.println("building synthetic " + shape + " " + formatName + " on the GPU (graphs " + mode + ")");
                try (CudaBackend backend = SyntheticDeviceModel.open(dims, scheme, type, options, 1234)) {
                    if (Double.isNaN(bandwidth)) {
                        bandwidth = backend.measureCopyBandwidth(probeMib << 20, 9);
                        deviceName = backend.device().describe();
                        System.err.printf("%s: measured copy bandwidth %.0f GB/s (read + write)%n", deviceName,
                                bandwidth / 1e9);
                    }
                    Benchmark benchmark = new Benchmark(backend, shape, formatName, backend.weightBytesPerStep());
                    if (graphs || !graphModes.contains("on")) {
                        report.add(benchmark.prefill(promptLength, prefillRepeats));
                    }
                    for (int batch : batches) {
                        BenchResult row = benchmark.decode(batch, prompt, warmupSteps, decodeSteps);
                        report.add(row);
                        long bytes = DecodeTraffic.bytesPerStep(backend.config(), backend.weightBytesPerStep(), batch,
                                prompt + warmupSteps + decodeSteps / 2);
                        double perSecond = bytes * row.steps() / row.seconds();
                        traffic.add(new Traffic(row, bytes, perSecond, perSecond / bandwidth));
                    }
                }
            }
        }
        List<BenchResult> rows = report.comparedWithFirst();
        BenchReport.printTable(rows, System.out);
        System.out.printf("%nDecode traffic vs the measured copy bandwidth of %s: %.0f GB/s%n", deviceName, bandwidth / 1e9);
        System.out.printf("| %-13s | %5s | %6s | %14s | %10s | %9s |%n", "format", "batch", "graphs", "MB read/step",
                "GB/s", "of copy");
        for (Traffic t : traffic) {
            System.out.printf("| %-13s | %5d | %6s | %14.1f | %10.1f | %8.1f%% |%n", t.row().format(), t.row().batch(),
                    t.row().graphs() ? "on" : "off", t.bytesPerStep() / 1e6, t.bytesPerSecond() / 1e9,
                    100 * t.fractionOfCopyBandwidth());
        }
        writeJson(file, command, deviceName, bandwidth, rows, traffic);
        System.err.println("wrote " + file.path());
        return 0;
    }

    private static void writeJson(OutputFile file, String command, String device, double bandwidth, List<BenchResult> rows,
                                  List<Traffic> traffic) {
        ObjectNode machine = JsonNodeFactory.instance.objectNode();
        machine.put("device", device);
        machine.put("copyBandwidthBytesPerSecond", bandwidth);
        ObjectNode root = BenchReport.document(command, machine, rows);
        ArrayNode decode = root.putArray("decodeTraffic");
        for (Traffic t : traffic) {
            ObjectNode node = decode.addObject();
            node.put("format", t.row().format());
            node.put("batch", t.row().batch());
            node.put("graphs", t.row().graphs());
            node.put("bytesPerStep", t.bytesPerStep());
            node.put("bytesPerSecond", t.bytesPerSecond());
            node.put("fractionOfCopyBandwidth", t.fractionOfCopyBandwidth());
        }
        BenchReport.write(root, file);
    }
}
