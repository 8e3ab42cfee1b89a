package dev.aqlm.runtime.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One {@code .safetensors} file: an 8-byte little-endian header length N, N bytes of JSON describing each tensor, then
 * the data. The whole header is validated on open, so a bad file fails before any weight is used, with a message that
 * names the file and the tensor.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** The format's own limit on header size (safetensors rejects larger headers too). */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final FileChannel channel;
    private final Map<String, TensorInfo> tensors;

    private SafetensorsFile(Path path, FileChannel channel, Map<String, TensorInfo> tensors) {
        this.path = path;
        this.channel = channel;
        this.tensors = tensors;
    }

    public static SafetensorsFile open(Path path) {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new CheckpointException(path + ": cannot open (" + e.getMessage() + ")", e);
        }
        try {
            return new SafetensorsFile(path, channel, readHeader(path, channel));
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    public Map<String, TensorInfo> tensors() {
        return Collections.unmodifiableMap(tensors);
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public TensorData tensor(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new CheckpointException(path.getFileName() + ": no tensor '" + name + "'");
        }
        return new TensorData(info, new FileRegion(channel, info.dataOffset(), info.byteLength()));
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static Map<String, TensorInfo> readHeader(Path path, FileChannel channel) {
        String file = path.getFileName().toString();
        try {
            long fileSize = channel.size();
            if (fileSize < 8) {
                throw new CheckpointException(file + ": truncated file of " + fileSize
                        + " bytes, too short for the 8-byte header length; re-download the checkpoint");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.getLong(0);
            if (headerLength < 0 || headerLength > fileSize - 8) {
                throw new CheckpointException(file + ": header length " + Long.toUnsignedString(headerLength)
                        + " runs past the end of the file (" + fileSize + " bytes); the file is truncated or not safetensors");
            }
            if (headerLength > MAX_HEADER_BYTES) {
                throw new CheckpointException(file + ": header of " + headerLength + " bytes exceeds the format's limit of "
                        + MAX_HEADER_BYTES + " bytes");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(channel, header, 8);
            long dataStart = 8 + headerLength;
            return parseHeader(path, new String(header.array(), StandardCharsets.UTF_8), dataStart, fileSize - dataStart);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read header (" + e.getMessage() + ")", e);
        }
    }

    private static Map<String, TensorInfo> parseHeader(Path path, String json, long dataStart, long dataLength) {
        String file = path.getFileName().toString();
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new CheckpointException(file + ": header is not valid JSON (" + e.getOriginalMessage() + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointException(file + ": header is not a JSON object");
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (entry.getKey().equals("__metadata__")) {
                continue;
            }
            tensors.put(entry.getKey(), parseEntry(path, entry.getKey(), entry.getValue(), dataStart, dataLength));
        }
        return tensors;
    }

    private static TensorInfo parseEntry(Path path, String name, JsonNode node, long dataStart, long dataLength) {
        String where = path.getFileName() + ": tensor '" + name + "'";
        JsonNode dtypeNode = node.get("dtype");
        JsonNode shapeNode = node.get("shape");
        JsonNode offsetsNode = node.get("data_offsets");
        if (dtypeNode == null || shapeNode == null || !shapeNode.isArray() || offsetsNode == null
                || !offsetsNode.isArray() || offsetsNode.size() != 2) {
            throw new CheckpointException(where + ": header entry needs dtype, shape and two data_offsets, got " + node);
        }
        DType dtype = DType.fromSafetensors(dtypeNode.asText(), where);
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode dim = shapeNode.get(i);
            if (!dim.canConvertToLong() || dim.asLong() < 0) {
                throw new CheckpointException(where + ": invalid shape " + shapeNode);
            }
            shape[i] = dim.asLong();
        }
        long begin = offsetsNode.get(0).asLong(-1);
        long end = offsetsNode.get(1).asLong(-1);
        if (begin < 0 || end < begin || end > dataLength) {
            throw new CheckpointException(where + ": data_offsets [" + begin + ", " + end + ") lie outside the "
                    + dataLength + " bytes of data in the file; the file is truncated or its header is corrupt");
        }
        long expected;
        try {
            expected = Math.multiplyExact(TensorInfo.elementCount(shape), dtype.bytes());
        } catch (ArithmeticException e) {
            throw new CheckpointException(where + ": shape " + shapeNode + " is too large");
        }
        if (expected != end - begin) {
            throw new CheckpointException(where + ": shape " + shapeNode + " × " + dtype + " is " + expected
                    + " bytes but data_offsets span " + (end - begin) + " bytes");
        }
        return new TensorInfo(path, name, dtype, shape, dataStart + begin, end - begin);
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing was written; a failed close of a read-only channel loses nothing
        }
    }
}
