package dev.aqlm.spark.executor;

import dev.aqlm.runtime.errors.AqlmException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Maps a Spark "gpu" resource address to a CUDA device ordinal in PCI bus order (the order nvidia-smi uses, and the
 * engine's with CUDA_DEVICE_ORDER=PCI_BUS_ID). A discovery script may print indices ("0", "1": nvidia-smi's index is
 * already PCI bus order) or PCI bus ids ("0000:3b:00.0"), which become their rank among the driver's GPUs in
 * /proc/driver/nvidia/gpus. Spark itself sets no CUDA_VISIBLE_DEVICES, so the ordinal names a GPU of the whole host.
 */
public final class GpuAddresses {
    private static final Pattern INDEX = Pattern.compile("\\d+");
    private static final Pattern PCI_BUS_ID = Pattern.compile("(?:[0-9a-fA-F]{4,8}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]");
    public static final Path NVIDIA_PROC = Path.of("/proc/driver/nvidia/gpus");

    private final Path nvidiaProc;

    public GpuAddresses(Path nvidiaProc) {
        this.nvidiaProc = nvidiaProc;
    }

    public GpuAddresses() {
        this(NVIDIA_PROC);
    }

    public int ordinal(String address) {
        String trimmed = address.strip();
        if (INDEX.matcher(trimmed).matches()) {
            return Integer.parseInt(trimmed);
        }
        if (PCI_BUS_ID.matcher(trimmed).matches()) {
            String wanted = normalize(trimmed);
            List<String> busIds = busIds();
            int rank = busIds.indexOf(wanted);
            if (rank < 0) {
                throw new AqlmException("Spark GPU address '" + address + "' is a PCI bus id that the NVIDIA driver does"
                        + " not list in " + nvidiaProc + " (it lists " + busIds + "); check the discovery script");
            }
            return rank;
        }
        throw new AqlmException("Spark GPU address '" + address + "' is neither a device index nor a PCI bus id;"
                + " make the GPU discovery script print nvidia-smi's index (see conf/gpu-discovery.sh)");
    }

    private List<String> busIds() {
        if (!Files.isDirectory(nvidiaProc)) {
            throw new AqlmException("cannot map PCI bus ids to CUDA ordinals: " + nvidiaProc + " does not exist"
                    + " (no NVIDIA driver?); make the GPU discovery script print device indices instead");
        }
        try (Stream<Path> entries = Files.list(nvidiaProc)) {
            return entries.map(p -> normalize(p.getFileName().toString())).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + nvidiaProc, e);
        }
    }

    /** Lower case with a 4-digit domain: nvidia-smi prints 00000000:3B:00.0, /proc prints 0000:3b:00.0. */
    static String normalize(String busId) {
        String lower = busId.toLowerCase(Locale.ROOT);
        String[] parts = lower.split(":", -1);
        if (parts.length == 2) {
            return "0000:" + lower;
        }
        String domain = parts[0].length() > 4 ? parts[0].substring(parts[0].length() - 4) : parts[0];
        return domain + ":" + parts[1] + ":" + parts[2];
    }
}
