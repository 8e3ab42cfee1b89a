package dev.aqlm.runtime.cli;

import dev.aqlm.runtime.checkpoint.DType;
import dev.aqlm.runtime.model.AqlmConfig;
import dev.aqlm.runtime.model.ModelConfig;
import dev.aqlm.runtime.synthetic.SyntheticCheckpointFolder;
import dev.aqlm.runtime.synthetic.SyntheticModelWriter;
import dev.aqlm.runtime.synthetic.SyntheticShape;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code synthesize}: writes a Hugging Face-format Llama checkpoint with random weights (for demos and benchmarks). */
@Command(name = "synthesize", mixinStandardHelpOptions = true,
        description = "Write a synthetic Llama checkpoint (random weights, real format) for demos and benchmarks.")
public final class SynthesizeCommand implements Callable<Integer> {
    @Option(names = "--output", required = true, description = "folder to write: absent or empty, or with"
            + " --overwrite a synthetic checkpoint written earlier")
    Path output;

    @Option(names = "--overwrite", description = "replace a synthetic checkpoint written earlier (nothing else is"
            + " ever written over)")
    boolean overwrite;

    @Option(names = "--shape", defaultValue = "small", description = "llama-2-7b, mid, small or tiny (default: ${DEFAULT-VALUE})")
    String shape;

    @Option(names = "--quantization", defaultValue = "2x8",
            description = "AQLM scheme such as 2x8, 1x16, 1x16g16, or 'none' for dense (default: ${DEFAULT-VALUE})")
    String quantization;

    @Option(names = "--dtype", defaultValue = "float16", description = "float16, bfloat16 or float32 (default: ${DEFAULT-VALUE})")
    String dtype;

    @Option(names = "--seed", defaultValue = "1234", description = "seed of the random weights (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() {
        SyntheticShape dims = SyntheticShape.preset(shape);
        AqlmConfig scheme = SyntheticModelWriter.schemeOrDense(quantization);
        DType type = DType.fromTorchName(dtype, "--dtype");
        long start = System.nanoTime();
        SyntheticCheckpointFolder.write(new SyntheticModelWriter(dims, type, scheme, seed), output, overwrite,
                "--output", "--overwrite");
        System.err.printf("wrote %s (%s, %s) in %.1f s%n", output, dims, ModelConfig.weightFormat(scheme, type),
                (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
