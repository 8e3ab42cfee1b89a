package dev.aqlm.runtime.hub;

import dev.aqlm.runtime.checkpoint.Checkpoint;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The Hugging Face Hub cache layout, shared with huggingface_hub:
 * <pre>
 * HF_HUB_CACHE/models--org--name/refs/main               the commit hash a branch or tag pointed to
 *                               /blobs/&lt;etag&gt;             file contents, named by LFS sha256 or git blob sha1
 *                               /snapshots/&lt;commit&gt;/file   relative symlinks into blobs/
 * HF_HUB_CACHE/.locks/models--org--name/&lt;etag&gt;.lock    held while a blob downloads
 * </pre>
 */
public final class HubCache {
    private final Path root;

    public HubCache(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    public Path repositoryFolder(HubModelId id) {
        return root.resolve(id.cacheFolderName());
    }

    public Path snapshot(HubModelId id, String commit) {
        return repositoryFolder(id).resolve("snapshots").resolve(commit);
    }

    public Path blob(HubModelId id, String etag) {
        return repositoryFolder(id).resolve("blobs").resolve(etag);
    }

    public Path lockFile(HubModelId id, String etag) {
        return root.resolve(".locks").resolve(id.cacheFolderName()).resolve(etag + ".lock");
    }

    /** The commit a revision names: itself if it is a commit hash, else what refs/&lt;revision&gt; recorded. */
    public Optional<String> commitOf(HubModelId id) {
        if (id.pinned()) {
            return Optional.of(id.revision());
        }
        Path ref = repositoryFolder(id).resolve("refs").resolve(id.revision());
        try {
            return Files.isRegularFile(ref) ? Optional.of(Files.readString(ref, StandardCharsets.UTF_8).strip())
                    : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ref, e);
        }
    }

    public void recordRef(HubModelId id, String commit) throws IOException {
        if (id.pinned()) {
            return;
        }
        Path ref = repositoryFolder(id).resolve("refs").resolve(id.revision());
        Files.createDirectories(ref.getParent());
        Path temporary = Files.createTempFile(ref.getParent(), ".ref", ".tmp");
        Files.writeString(temporary, commit, StandardCharsets.UTF_8);
        Files.move(temporary, ref, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Points snapshots/&lt;commit&gt;/&lt;file&gt; at its blob: a relative symlink, or a copy where links are refused. */
    public void link(HubModelId id, String commit, String file, String etag) throws IOException {
        Path target = snapshot(id, commit).resolve(file);
        if (Files.exists(target)) {
            return;
        }
        Files.createDirectories(target.getParent());
        Path blob = blob(id, etag);
        try {
            Files.createSymbolicLink(target, target.getParent().relativize(blob));
        } catch (UnsupportedOperationException | IOException e) {
            if (Files.exists(target)) {
                return; // another process linked it first
            }
            Files.copy(blob, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * The weight and config files a snapshot still lacks to be loadable: config.json, and model.safetensors or every
     * shard that model.safetensors.index.json names. Empty when the snapshot is complete.
     */
    public static List<String> missingModelFiles(Path snapshot) {
        List<String> missing = new ArrayList<>();
        if (!Files.isRegularFile(snapshot.resolve("config.json"))) {
            missing.add("config.json");
        }
        Path index = snapshot.resolve(Checkpoint.INDEX_FILE);
        if (Files.isRegularFile(index)) {
            for (String shard : shardsOf(index)) {
                if (!Files.isRegularFile(snapshot.resolve(shard))) {
                    missing.add(shard);
                }
            }
        } else if (!Files.isRegularFile(snapshot.resolve(Checkpoint.SINGLE_FILE))) {
            missing.add(Checkpoint.SINGLE_FILE + " (or " + Checkpoint.INDEX_FILE + ")");
        }
        return missing;
    }

    private static Set<String> shardsOf(Path index) {
        try {
            JsonNode weightMap = new ObjectMapper().readTree(index.toFile()).path("weight_map");
            Set<String> shards = new LinkedHashSet<>();
            for (Iterator<JsonNode> it = weightMap.elements(); it.hasNext(); ) {
                shards.add(it.next().asText());
            }
            return shards;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + index, e);
        }
    }
}
