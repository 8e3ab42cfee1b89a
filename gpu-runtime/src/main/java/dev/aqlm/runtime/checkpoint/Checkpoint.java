package dev.aqlm.runtime.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A Hugging Face checkpoint directory: {@code model.safetensors}, or shards listed by
 * {@code model.safetensors.index.json}. Tensors are looked up by their checkpoint name and read lazily from the mapped
 * files; closing the checkpoint unmaps nothing that is still referenced, it only closes the file channels.
 */
public final class Checkpoint implements AutoCloseable {
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final Path directory;
    private final Map<String, SafetensorsFile> fileByTensor;
    private final Map<String, SafetensorsFile> openFiles;

    private Checkpoint(Path directory, Map<String, SafetensorsFile> fileByTensor, Map<String, SafetensorsFile> openFiles) {
        this.directory = directory;
        this.fileByTensor = fileByTensor;
        this.openFiles = openFiles;
    }

    public static Checkpoint open(Path directory) {
        Path index = directory.resolve(INDEX_FILE);
        Path single = directory.resolve(SINGLE_FILE);
        if (Files.isRegularFile(index)) {
            return openSharded(directory, index);
        }
        if (Files.isRegularFile(single)) {
            SafetensorsFile file = SafetensorsFile.open(single);
            Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
            file.tensors().keySet().forEach(name -> byTensor.put(name, file));
            return new Checkpoint(directory, byTensor, Map.of(SINGLE_FILE, file));
        }
        throw new CheckpointException(directory + ": no " + SINGLE_FILE + " or " + INDEX_FILE
                + "; point --model at a Hugging Face checkpoint directory");
    }

    private static Checkpoint openSharded(Path directory, Path index) {
        JsonNode weightMap;
        try {
            weightMap = new ObjectMapper().readTree(index.toFile()).get("weight_map");
        } catch (IOException e) {
            throw new CheckpointException(index + ": cannot read the shard index (" + e.getMessage() + ")", e);
        }
        if (weightMap == null || !weightMap.isObject()) {
            throw new CheckpointException(index + ": has no \"weight_map\" object");
        }
        Map<String, SafetensorsFile> openFiles = new LinkedHashMap<>();
        Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
        try {
            for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                String shardName = entry.getValue().asText();
                SafetensorsFile shard = openFiles.get(shardName);
                if (shard == null) {
                    Path shardPath = directory.resolve(shardName);
                    if (!Files.isRegularFile(shardPath)) {
                        throw new CheckpointException(index.getFileName() + " lists tensor '" + entry.getKey()
                                + "' in " + shardName + ", which is missing from " + directory);
                    }
                    shard = SafetensorsFile.open(shardPath);
                    openFiles.put(shardName, shard);
                }
                if (!shard.contains(entry.getKey())) {
                    throw new CheckpointException(index.getFileName() + " lists tensor '" + entry.getKey() + "' in "
                            + shardName + ", but that file has no such tensor");
                }
                byTensor.put(entry.getKey(), shard);
            }
        } catch (RuntimeException e) {
            openFiles.values().forEach(SafetensorsFile::close);
            throw e;
        }
        return new Checkpoint(directory, byTensor, openFiles);
    }

    public Path directory() {
        return directory;
    }

    public Set<String> tensorNames() {
        return Collections.unmodifiableSet(fileByTensor.keySet());
    }

    public boolean contains(String name) {
        return fileByTensor.containsKey(name);
    }

    /** The tensor, or a CheckpointException naming the directory and the missing tensor. */
    public TensorData tensor(String name) {
        SafetensorsFile file = fileByTensor.get(name);
        if (file == null) {
            throw new CheckpointException(directory + ": missing tensor '" + name + "'");
        }
        return file.tensor(name);
    }

    /** The tensor if present, else null (for optional tensors such as biases). */
    public TensorData optionalTensor(String name) {
        return contains(name) ? tensor(name) : null;
    }

    /** Total bytes of tensor data, for load progress and memory estimates. */
    public long totalBytes() {
        return openFiles.values().stream()
                .flatMap(f -> f.tensors().values().stream())
                .mapToLong(TensorInfo::byteLength).sum();
    }

    @Override
    public void close() {
        openFiles.values().forEach(SafetensorsFile::close);
    }
}
