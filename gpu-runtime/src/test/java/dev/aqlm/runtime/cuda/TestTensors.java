package dev.aqlm.runtime.cuda;

import dev.aqlm.runtime.checkpoint.Half;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** Writes small safetensors files of random tensors, so GPU tests run the real upload path on fresh inputs. */
final class TestTensors {
    record Tensor(String dtype, long[] shape, byte[] data) {
    }

    private final Map<String, Tensor> tensors = new LinkedHashMap<>();

    TestTensors put(String name, Tensor tensor) {
        tensors.put(name, tensor);
        return this;
    }

    static Tensor half(long[] shape, float[] values, ActivationType type) {
        ByteBuffer bytes = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : values) {
            bytes.putShort(type.encode(value));
        }
        return new Tensor(type == ActivationType.F16 ? "F16" : "BF16", shape, bytes.array());
    }

    /** Codebook indices stored as the checkpoint stores them: two's complement in the narrowest integer type. */
    static Tensor codes(long[] shape, int[] indices, int bits) {
        int width = bits <= 8 ? 1 : bits <= 16 ? 2 : 4;
        ByteBuffer bytes = ByteBuffer.allocate(width * indices.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int index : indices) {
            if (width == 1) {
                bytes.put((byte) index);
            } else if (width == 2) {
                bytes.putShort((short) index);
            } else {
                bytes.putInt(index);
            }
        }
        return new Tensor(width == 1 ? "I8" : width == 2 ? "I16" : "I32", shape, bytes.array());
    }

    Path write(Path file) {
        StringBuilder header = new StringBuilder("{");
        long offset = 0;
        for (Map.Entry<String, Tensor> entry : tensors.entrySet()) {
            Tensor t = entry.getValue();
            if (header.length() > 1) {
                header.append(',');
            }
            header.append('"').append(entry.getKey()).append("\":{\"dtype\":\"").append(t.dtype())
                    .append("\",\"shape\":[").append(Arrays.stream(t.shape()).mapToObj(Long::toString)
                            .collect(Collectors.joining(","))).append("],\"data_offsets\":[").append(offset)
                    .append(',').append(offset + t.data().length).append("]}");
            offset += t.data().length;
        }
        header.append('}');
        while ((header.length() % 8) != 0) {
            header.append(' ');
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + json.length + (int) offset).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(json.length).put(json);
        for (Tensor t : tensors.values()) {
            out.put(t.data());
        }
        try {
            return Files.write(file, out.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The value a 16-bit type stores for {@code value}. */
    static float rounded(float value, ActivationType type) {
        return type.decode(type.encode(value));
    }

    static float halfValue(short bits) {
        return Half.halfToFloat(bits);
    }
}
