package dev.aqlm.runtime.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a {@code .safetensors} file tensor by tensor, streaming each one's bytes through a small buffer, so that a
 * multi-gigabyte checkpoint never sits on the heap. Tensors are laid out in the order they were added.
 */
public final class SafetensorsWriter {
    /** Produces a tensor's contents: fills {@code chunk} (little-endian) with the elements starting at {@code first}. */
    @FunctionalInterface
    public interface Contents {
        void fill(ByteBuffer chunk, long first);
    }

    private record Entry(String name, DType dtype, long[] shape, Contents contents) {
        long bytes() {
            return TensorInfo.elementCount(shape) * dtype.bytes();
        }
    }

    private static final int CHUNK_BYTES = 1 << 22;
    private final List<Entry> entries = new ArrayList<>();

    public SafetensorsWriter add(String name, DType dtype, long[] shape, Contents contents) {
        entries.add(new Entry(name, dtype, shape.clone(), contents));
        return this;
    }

    /** Adds a small tensor from float values, stored in {@code dtype} (F32, F16 or BF16). */
    public SafetensorsWriter addFloats(String name, DType dtype, long[] shape, float[] values) {
        return add(name, dtype, shape, (chunk, first) -> {
            for (long i = first; chunk.remaining() >= dtype.bytes(); i++) {
                putFloat(chunk, dtype, values[(int) i]);
            }
        });
    }

    public static void putFloat(ByteBuffer chunk, DType dtype, float value) {
        switch (dtype) {
            case F32 -> chunk.putFloat(value);
            case F16 -> chunk.putShort(Half.floatToHalf(value));
            case BF16 -> chunk.putShort(Half.floatToBfloat16(value));
            default -> throw new IllegalArgumentException(dtype + " is not a float dtype");
        }
    }

    public void write(Path file) {
        byte[] header = header();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
            writeFully(channel, length);
            writeFully(channel, ByteBuffer.wrap(header));
            ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (Entry entry : entries) {
                int size = entry.dtype().bytes();
                long total = entry.bytes();
                for (long written = 0; written < total; ) {
                    int n = (int) Math.min(CHUNK_BYTES, total - written);
                    chunk.clear().limit(n);
                    entry.contents().fill(chunk, written / size);
                    if (chunk.position() != n) {
                        throw new IllegalStateException(entry.name() + ": contents filled " + chunk.position()
                                + " of " + n + " bytes");
                    }
                    chunk.flip();
                    writeFully(channel, chunk);
                    written += n;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private byte[] header() {
        ObjectNode root = new ObjectMapper().createObjectNode();
        long offset = 0;
        for (Entry entry : entries) {
            ObjectNode node = root.putObject(entry.name());
            node.put("dtype", entry.dtype().name());
            ArrayNode shape = node.putArray("shape");
            for (long dim : entry.shape()) {
                shape.add(dim);
            }
            node.putArray("data_offsets").add(offset).add(offset + entry.bytes());
            offset += entry.bytes();
        }
        StringBuilder json = new StringBuilder(root.toString());
        while ((8 + json.length()) % 8 != 0) {
            json.append(' '); // the data section starts 8-byte aligned, as the reference writer does
        }
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}
