package dev.aqlm.runtime.cli;

import dev.aqlm.runtime.cuda.CudaInfo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code info}: can the CUDA backend run here, and on which devices (with AQLM_CUDA_EMULATOR=1, the emulator's). */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Say whether the CUDA backend can run here and list the CUDA devices (exit 1 when it cannot).")
public final class InfoCommand implements Callable<Integer> {
    @Option(names = "--device", defaultValue = "0", description = "CUDA device ordinal to check (default: ${DEFAULT-VALUE})")
    int device;

    @Override
    public Integer call() {
        return CudaInfo.print(device, System.out) ? 0 : 1;
    }
}
