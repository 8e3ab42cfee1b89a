package dev.aqlm.runtime.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.aqlm.runtime.engine.KvCacheFormat;
import dev.aqlm.runtime.engine.KvCacheShape;
import dev.aqlm.runtime.model.ModelConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * How many sequences a memory budget holds beside a model's weights, per KV cache format: the cache bytes each token
 * adds, what a slot of {@code context} positions takes (residual window included), and the slots that fit. Values in
 * the model's dtype (fp16/bf16: 2 bytes), as a GPU stores them; computed from the layout, not measured.
 */
public final class KvCacheCapacity {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One format's figures for one model. */
    public record Row(String model, String kvCache, int bits, double bytesPerToken, int context, long bytesPerSlot,
                      long weightBytes, long budgetBytes, long slots) {
    }

    private final List<Row> rows = new ArrayList<>();

    public void add(String model, ModelConfig config, long weightBytes, KvCacheFormat format, int context,
                    long budgetBytes) {
        KvCacheShape shape = KvCacheShape.of(config);
        int activationBytes = config.dtype().bytes();
        long perSlot = format.bytesPerSlot(shape, context, activationBytes);
        rows.add(new Row(model, format.describe(), format.bits(), format.bytesPerToken(shape, activationBytes), context,
                perSlot, weightBytes, budgetBytes, format.slotsThatFit(shape, context, activationBytes,
                budgetBytes - weightBytes)));
    }

    /** Bytes of a checkpoint's safetensors files: what its weights take on a device, embeddings included. */
    public static long checkpointBytes(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            long total = 0;
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".safetensors"))::iterator) {
                total += Files.size(file);
            }
            return total;
        }
    }

    public List<Row> rows() {
        return List.copyOf(rows);
    }

    public void print(PrintStream out) {
        out.printf("| %-22s | %-32s | %12s | %8s | %13s | %11s | %10s | %8s |%n", "model", "KV cache", "KiB/token",
                "context", "MiB per slot", "weights GiB", "budget GiB", "slots");
        out.println("|" + "-".repeat(24) + "|" + "-".repeat(34) + "|" + "-".repeat(14) + "|" + "-".repeat(10) + "|"
                + "-".repeat(15) + "|" + "-".repeat(13) + "|" + "-".repeat(12) + "|" + "-".repeat(10) + "|");
        for (Row r : rows) {
            out.printf("| %-22s | %-32s | %12.1f | %8d | %13.1f | %11.2f | %10.2f | %8d |%n", r.model(), r.kvCache(),
                    r.bytesPerToken() / 1024, r.context(), r.bytesPerSlot() / 0x1p20, r.weightBytes() / 0x1p30,
                    r.budgetBytes() / 0x1p30, r.slots());
        }
    }

    public ArrayNode json() {
        ArrayNode array = JSON.createArrayNode();
        rows.forEach(row -> array.add(JSON.valueToTree(row)));
        return array;
    }
}
