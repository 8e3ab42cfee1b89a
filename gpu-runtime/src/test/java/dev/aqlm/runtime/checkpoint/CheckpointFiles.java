package dev.aqlm.runtime.checkpoint;

import dev.aqlm.runtime.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Predicate;

/** Builds real checkpoint files for tests: raw safetensors bytes, and fixture models rewritten with a change. */
public final class CheckpointFiles {
    private CheckpointFiles() {
    }

    /** A safetensors file with exactly this header text and {@code dataBytes} zero bytes of data. */
    public static Path raw(Path file, String headerJson, int dataBytes) {
        byte[] header = headerJson.getBytes(StandardCharsets.UTF_8);
        return rawWithLength(file, header.length, header, dataBytes);
    }

    /** As {@link #raw}, but with a header length field that may lie. */
    public static Path rawWithLength(Path file, long declaredLength, byte[] header, int dataBytes) {
        ByteBuffer bytes = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putLong(declaredLength).put(header);
        try {
            Files.write(file, bytes.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /**
     * Copies fixture model {@code name} into {@code directory}, keeping only the tensors {@code keep} accepts, and with
     * config.json replaced by {@code config} when it is not null.
     */
    public static Path copyModel(String name, Path directory, Predicate<String> keep, String config) {
        Path source = Fixtures.model(name);
        try {
            Files.createDirectories(directory);
            Files.writeString(directory.resolve("config.json"),
                    config != null ? config : Files.readString(source.resolve("config.json")));
            SafetensorsWriter writer = new SafetensorsWriter();
            try (SafetensorsFile file = SafetensorsFile.open(source.resolve("model.safetensors"))) {
                for (Map.Entry<String, TensorInfo> entry : file.tensors().entrySet()) {
                    if (!keep.test(entry.getKey())) {
                        continue;
                    }
                    TensorData tensor = file.tensor(entry.getKey());
                    ByteBuffer bytes = tensor.bytes(0, tensor.byteLength());
                    writer.add(entry.getKey(), tensor.dtype(), tensor.shape(), (chunk, first) -> {
                        ByteBuffer slice = bytes.duplicate();
                        slice.position((int) (first * tensor.dtype().bytes())).limit(slice.position() + chunk.remaining());
                        chunk.put(slice);
                    });
                }
                writer.write(directory.resolve("model.safetensors"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return directory;
    }
}
