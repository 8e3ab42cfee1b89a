package dev.aqlm.spark.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aqlm.runtime.engine.KvCacheFormat;
import dev.aqlm.runtime.errors.AqlmException;
import dev.aqlm.runtime.hub.ModelLocation;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * The model and every setting that decides a job's rows, stored beside the output as {@value #FILE_NAME}. A resumed
 * job must match it exactly: rows generated under other settings would mix silently into one dataset otherwise.
 * Engine settings that do not change results (slots, prefill budget, threads, device) are left out, so a job may
 * resume on other hardware.
 */
public final class JobFingerprint {
    public static final String FILE_NAME = "_aqlm_generate.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Bytes of each weight file's start and end that are hashed: enough to tell checkpoints apart, cheap to read. */
    private static final int SAMPLE_BYTES = 1 << 20;
    /** Settings added after outputs were already written: an older fingerprint without one had this value. */
    private static final Map<String, String> ADDED_LATER = Map.of("truncate_prompts", "false", "min_p", "0.0",
            "prompt_lookup_tokens", "null", "prompt_lookup_ngram", "null", "assistant_model", "null",
            "assistant_tokens", "null", "kv_cache", KvCacheFormat.FULL_PRECISION.describe());

    private final Map<String, String> fields;

    private JobFingerprint(Map<String, String> fields) {
        this.fields = fields;
    }

    /** @param pinnedModel the model as executors load it (a Hub id pinned to its commit) */
    /** @param idColumn the column ids come from, or null when they are generated from file and row */
    public static JobFingerprint of(GenerateJobSpec spec, String pinnedModel, String idColumn) {
        GenerationSpec generation = spec.generation();
        GenerationDefaults d = generation.defaults();
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("model", generation.model());
        fields.put("model_content", modelContent(pinnedModel));
        fields.put("context_length", Integer.toString(generation.engine().contextLength()));
        // A quantized cache changes the tokens a row gets; rows under two cache formats must not mix.
        fields.put("kv_cache", generation.engine().kvCache().describe());
        fields.put("prompt_column", generation.promptColumn());
        fields.put("id_column", idColumn == null ? "(generated: file:row)" : idColumn);
        fields.put("row_overrides", Boolean.toString(generation.rowOverrides()));
        fields.put("chat_template", d.applyChatTemplate()
                ? (d.chatTemplate() == null ? "tokenizer's" : "sha256:" + sha256(d.chatTemplate())) : "none");
        fields.putAll(d.values().fingerprint());
        fields.put("output_format", spec.outputFormat().name().toLowerCase());
        return new JobFingerprint(fields);
    }

    public Map<String, String> fields() {
        return fields;
    }

    /** Refuses to continue {@code stored}'s output under different settings, listing what changed. */
    public void requireSameAs(JobFingerprint stored, String output) {
        List<String> changes = new ArrayList<>();
        for (String key : fields.keySet()) {
            String before = stored.fields.getOrDefault(key, ADDED_LATER.get(key));
            if (!fields.get(key).equals(before)) {
                changes.add(key + ": " + (before == null ? "(absent)" : "'" + before + "'") + " -> '" + fields.get(key) + "'");
            }
        }
        if (!changes.isEmpty()) {
            throw new AqlmException("cannot resume " + output + ": it was generated with other settings ("
                    + String.join("; ", changes) + "). Rerun with the original settings, or write to a new --output"
                    + " (or --overwrite it)");
        }
    }

    public void write(org.apache.hadoop.fs.Path output, Configuration hadoop) {
        org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(output, FILE_NAME);
        try (OutputStream out = file.getFileSystem(hadoop).create(file, true)) {
            ObjectNode json = JSON.createObjectNode();
            json.put("format", 1);
            ObjectNode settings = json.putObject("settings");
            fields.forEach(settings::put);
            out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(json));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** The fingerprint stored in {@code output}, or null when the folder has none. */
    public static JobFingerprint read(org.apache.hadoop.fs.Path output, Configuration hadoop) {
        org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(output, FILE_NAME);
        try {
            FileSystem fs = file.getFileSystem(hadoop);
            if (!fs.exists(file)) {
                return null;
            }
            try (InputStream in = fs.open(file)) {
                JsonNode root = JSON.readTree(in);
                JsonNode settings = root == null ? null : root.get("settings");
                if (settings == null || !settings.isObject()) {
                    throw corrupt(file, "it has no \"settings\" object");
                }
                Map<String, String> fields = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = settings.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = it.next();
                    fields.put(field.getKey(), field.getValue().asText());
                }
                if (fields.containsKey("stop_at_eos") && !fields.containsKey("ignore_eos")) {
                    // Written before the options table named it after its flag: the same setting, inverted.
                    fields.put("ignore_eos", Boolean.toString(!Boolean.parseBoolean(fields.remove("stop_at_eos"))));
                }
                return new JobFingerprint(fields);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw corrupt(file, "it is not valid JSON (" + e.getOriginalMessage() + ")");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static AqlmException corrupt(org.apache.hadoop.fs.Path file, String why) {
        return new AqlmException(file + " is damaged: " + why + ". It records the settings this output was generated"
                + " with, so the output cannot be resumed; restore it from a backup, or write to a new --output");
    }

    /**
     * What identifies the weights: a Hub commit; or for a directory, a hash of config.json, the tokenizer files and each
     * safetensors file's size, header and first and last megabyte. When the driver cannot see the directory (it
     * exists on the executors only), the path alone.
     */
    static String modelContent(String pinnedModel) {
        if (ModelLocation.isHubId(pinnedModel)) {
            return "hub:" + pinnedModel;
        }
        Path directory = Path.of(pinnedModel);
        if (!Files.isDirectory(directory)) {
            return "path:" + directory.toAbsolutePath().normalize();
        }
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            List<Path> files;
            try (Stream<Path> list = Files.list(directory)) {
                files = list.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.endsWith(".json")) {
                    digest.update(name.getBytes(StandardCharsets.UTF_8));
                    digest.update(Files.readAllBytes(file));
                } else if (name.endsWith(".safetensors")) {
                    digest.update(name.getBytes(StandardCharsets.UTF_8));
                    sampleWeights(file, digest);
                }
            }
            return "sha256:" + HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fingerprint model " + directory, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sampleWeights(Path file, MessageDigest digest) throws IOException {
        try (FileChannel channel = FileChannel.open(file)) {
            long size = channel.size();
            digest.update(ByteBuffer.allocate(Long.BYTES).putLong(size).flip());
            readInto(channel, 0, (int) Math.min(size, SAMPLE_BYTES), digest);
            if (size > SAMPLE_BYTES) {
                long tail = Math.max(SAMPLE_BYTES, size - SAMPLE_BYTES);
                readInto(channel, tail, (int) (size - tail), digest);
            }
            // The header (tensor names, shapes, offsets) may exceed the first megabyte in huge checkpoints.
            ByteBuffer length = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(length, 0);
            long headerLength = length.flip().getLong();
            if (headerLength > SAMPLE_BYTES && headerLength < size) {
                readInto(channel, 8, (int) Math.min(headerLength, Integer.MAX_VALUE - 8), digest);
            }
        }
    }

    private static void readInto(FileChannel channel, long position, int length, MessageDigest digest) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(Math.min(length, 1 << 20));
        long at = position;
        long end = position + length;
        while (at < end) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), end - at));
            int n = channel.read(buffer, at);
            if (n < 0) {
                break;
            }
            digest.update(buffer.flip());
            at += n;
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
