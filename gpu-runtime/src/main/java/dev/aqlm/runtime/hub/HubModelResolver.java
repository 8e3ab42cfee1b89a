package dev.aqlm.runtime.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a Hub model id into a local snapshot directory of the shared Hub cache, downloading what is missing. Each file
 * is downloaded once per machine: under a file lock (other processes, e.g. the Spark executors of one host) and a JVM
 * lock (other threads), into a temporary file whose size and checksum (LFS sha256, or git blob sha1) must match the
 * Hub's before it becomes a blob. With HF_HUB_OFFLINE set, or a pinned commit already complete in the cache, the
 * network is never used.
 */
public final class HubModelResolver {
    private static final Logger LOG = LoggerFactory.getLogger(HubModelResolver.class);
    private static final ConcurrentHashMap<Path, Object> JVM_LOCKS = new ConcurrentHashMap<>();

    private final HubSettings settings;
    private final HubCache cache;
    private final HubClient client;

    public HubModelResolver(HubSettings settings) {
        this.settings = settings;
        this.cache = new HubCache(settings.cacheDirectory());
        this.client = new HubClient(settings);
    }

    public HubCache cache() {
        return cache;
    }

    /** The snapshot directory of {@code id}, complete with config and weights, downloading what the cache lacks. */
    public Path resolve(HubModelId id) {
        if (settings.offline()) {
            return cachedSnapshot(id, "HF_HUB_OFFLINE is set");
        }
        if (id.pinned()) {
            Path snapshot = cache.snapshot(id, id.revision());
            if (HubCache.missingModelFiles(snapshot).isEmpty()) {
                return snapshot; // a commit never changes: nothing to ask the Hub
            }
        }
        RepoSnapshot remote;
        try {
            remote = client.revision(id);
        } catch (IOException e) {
            LOG.warn("cannot reach the Hub at {} ({}); trying the local cache", settings.endpoint(), e.toString());
            return cachedSnapshot(id, "the Hub at " + settings.endpoint() + " cannot be reached ("
                    + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()) + ")");
        }
        try {
            download(id, remote);
            cache.recordRef(id, remote.commit());
        } catch (IOException e) {
            throw new HubException("cannot store " + id + " in the Hub cache at " + cache.root() + ": " + e.getMessage(), e);
        }
        Path snapshot = cache.snapshot(id, remote.commit());
        List<String> missing = HubCache.missingModelFiles(snapshot);
        if (!missing.isEmpty()) {
            throw new HubException(id + " (commit " + remote.commit() + ") has no " + String.join(", ", missing)
                    + ": it is not a safetensors checkpoint this engine can load");
        }
        return snapshot;
    }

    /** The commit hash {@code id}'s revision names now (from the Hub, or the cache when offline). */
    public String commitOf(HubModelId id) {
        if (id.pinned()) {
            return id.revision();
        }
        if (!settings.offline()) {
            try {
                return client.revision(id).commit();
            } catch (IOException e) {
                LOG.warn("cannot reach the Hub at {} ({}); using the cached revision", settings.endpoint(), e.toString());
            }
        }
        return cache.commitOf(id).orElseThrow(() -> new HubException(notCachedMessage(id,
                settings.offline() ? "HF_HUB_OFFLINE is set" : "the Hub cannot be reached")));
    }

    private Path cachedSnapshot(HubModelId id, String why) {
        String commit = cache.commitOf(id).orElseThrow(() -> new HubException(notCachedMessage(id, why)));
        Path snapshot = cache.snapshot(id, commit);
        List<String> missing = HubCache.missingModelFiles(snapshot);
        if (!missing.isEmpty()) {
            throw new HubException(id + " is only partly in the Hub cache (" + snapshot + " lacks "
                    + String.join(", ", missing) + ") and " + why + "; download it once with network access");
        }
        return snapshot;
    }

    private String notCachedMessage(HubModelId id, String why) {
        return id + " is not in the Hugging Face cache at " + cache.root() + " and " + why
                + "; download it once with network access (or set HF_HUB_CACHE/HF_HOME to a cache that has it)";
    }

    private void download(HubModelId id, RepoSnapshot remote) throws IOException {
        for (RepoFile file : remote.files()) {
            if (!file.neededByEngine()) {
                continue;
            }
            if (file.etag() == null) {
                throw new HubException("the Hub lists " + file.path() + " of " + id + " without a checksum");
            }
            ensureBlob(id, remote.commit(), file);
            cache.link(id, remote.commit(), file.path(), file.etag());
        }
    }

    private void ensureBlob(HubModelId id, String commit, RepoFile file) throws IOException {
        Path blob = cache.blob(id, file.etag());
        Path lock = cache.lockFile(id, file.etag());
        synchronized (JVM_LOCKS.computeIfAbsent(lock, key -> new Object())) {
            Files.createDirectories(lock.getParent());
            try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = channel.lock()) {
                if (Files.isRegularFile(blob) && (file.size() < 0 || Files.size(blob) == file.size())) {
                    return; // downloaded earlier, or by another process while we waited for the lock
                }
                Files.createDirectories(blob.getParent());
                Path partial = blob.resolveSibling(file.etag() + ".incomplete");
                long start = System.nanoTime();
                try (InputStream in = client.open(id, commit, file.path());
                     OutputStream out = Files.newOutputStream(partial)) {
                    in.transferTo(out);
                } catch (SocketTimeoutException e) {
                    Files.deleteIfExists(partial);
                    throw new HubException("downloading " + file.path() + " of " + id + " from " + settings.endpoint()
                            + " stalled for " + settings.downloadTimeout().toSeconds() + " s: try again, or raise"
                            + " HF_HUB_DOWNLOAD_TIMEOUT for a slow mirror", e);
                }
                verify(id, file, partial);
                Files.move(partial, blob, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                LOG.info("downloaded {} of {} ({} bytes) in {} s", file.path(), id, file.size(),
                        String.format("%.1f", (System.nanoTime() - start) / 1e9));
            }
        }
    }

    /** Size, then checksum: the LFS sha256 for weights, the git blob sha1 for small files. */
    private static void verify(HubModelId id, RepoFile file, Path partial) throws IOException {
        long size = Files.size(partial);
        if (file.size() >= 0 && size != file.size()) {
            Files.deleteIfExists(partial);
            throw new HubException("download of " + file.path() + " of " + id + " is " + size + " bytes, the Hub says "
                    + file.size() + "; the transfer was cut short, try again");
        }
        String actual = file.sha256() != null ? digest(partial, "SHA-256", null) : digest(partial, "SHA-1",
                ("blob " + size + "\0").getBytes(StandardCharsets.US_ASCII));
        String expected = file.sha256() != null ? file.sha256() : file.blobId();
        if (!actual.equalsIgnoreCase(expected)) {
            Files.deleteIfExists(partial);
            throw new HubException("download of " + file.path() + " of " + id + " has checksum " + actual
                    + " but the Hub says " + expected + "; the file was corrupted in transit, try again");
        }
    }

    private static String digest(Path file, String algorithm, byte[] prefix) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        if (prefix != null) {
            digest.update(prefix);
        }
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
