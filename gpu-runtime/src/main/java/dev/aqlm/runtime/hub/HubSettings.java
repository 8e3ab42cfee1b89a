package dev.aqlm.runtime.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where the Hugging Face Hub cache lives and how to reach the Hub, read from the same environment variables as
 * huggingface_hub reads, so both share one cache: HF_HUB_CACHE (or HF_HOME/hub, default ~/.cache/huggingface/hub),
 * HF_ENDPOINT, HF_HUB_OFFLINE, the token from HF_TOKEN or the token file (HF_TOKEN_PATH, default HF_HOME/token), and
 * the seconds to wait for the Hub: HF_HUB_ETAG_TIMEOUT (metadata) and HF_HUB_DOWNLOAD_TIMEOUT (files), 10 by default.
 */
public final class HubSettings {
    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";
    /** huggingface_hub's defaults for both timeouts. */
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final Path cacheDirectory;
    private final URI endpoint;
    private final String token;
    private final boolean offline;
    private final Duration metadataTimeout;
    private final Duration downloadTimeout;

    public HubSettings(Path cacheDirectory, URI endpoint, String token, boolean offline, Duration metadataTimeout,
                       Duration downloadTimeout) {
        this.cacheDirectory = cacheDirectory;
        this.endpoint = endpoint;
        this.token = token == null || token.isBlank() ? null : token.strip();
        this.offline = offline;
        this.metadataTimeout = metadataTimeout;
        this.downloadTimeout = downloadTimeout;
    }

    public static HubSettings fromEnvironment() {
        return from(System.getenv(), System.getProperty("user.home"));
    }

    public static HubSettings from(Map<String, String> env, String userHome) {
        Path cacheRoot = env.containsKey("XDG_CACHE_HOME") ? Path.of(env.get("XDG_CACHE_HOME"))
                : Path.of(userHome, ".cache");
        Path hfHome = env.containsKey("HF_HOME") ? Path.of(env.get("HF_HOME")) : cacheRoot.resolve("huggingface");
        Path hubCache = env.containsKey("HF_HUB_CACHE") ? Path.of(env.get("HF_HUB_CACHE"))
                : env.containsKey("HUGGINGFACE_HUB_CACHE") ? Path.of(env.get("HUGGINGFACE_HUB_CACHE"))
                : hfHome.resolve("hub");
        String endpoint = env.getOrDefault("HF_ENDPOINT", DEFAULT_ENDPOINT).replaceAll("/+$", "");
        boolean offline = isTrue(env.get("HF_HUB_OFFLINE")) || isTrue(env.get("TRANSFORMERS_OFFLINE"));
        return new HubSettings(hubCache, endpoint(endpoint), token(env, hfHome), offline,
                seconds(env, "HF_HUB_ETAG_TIMEOUT"), seconds(env, "HF_HUB_DOWNLOAD_TIMEOUT"));
    }

    private static URI endpoint(String value) {
        try {
            URI uri = URI.create(value);
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new IllegalArgumentException("no scheme or host");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new HubException("HF_ENDPOINT '" + value + "' is not a URL such as https://huggingface.co");
        }
    }

    private static Duration seconds(Map<String, String> env, String variable) {
        String value = env.get(variable);
        if (value == null || value.isBlank()) {
            return DEFAULT_TIMEOUT;
        }
        try {
            double seconds = Double.parseDouble(value.strip());
            if (seconds > 0 && seconds <= Integer.MAX_VALUE / 1000.0) {
                return Duration.ofMillis(Math.max(1, Math.round(seconds * 1000)));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new HubException(variable + " must be a positive number of seconds, got '" + value + "'");
    }

    private static String token(Map<String, String> env, Path hfHome) {
        String fromEnv = env.getOrDefault("HF_TOKEN", env.get("HUGGING_FACE_HUB_TOKEN"));
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        Path file = env.containsKey("HF_TOKEN_PATH") ? Path.of(env.get("HF_TOKEN_PATH")) : hfHome.resolve("token");
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Hugging Face token file " + file, e);
        }
    }

    private static boolean isTrue(String value) {
        return value != null && Set.of("1", "true", "yes", "on").contains(value.strip().toLowerCase(Locale.ROOT));
    }

    public Path cacheDirectory() {
        return cacheDirectory;
    }

    public URI endpoint() {
        return endpoint;
    }

    /** The access token, or null for anonymous access. */
    public String token() {
        return token;
    }

    public boolean offline() {
        return offline;
    }

    /** How long to wait for the Hub's metadata answers (each connect and each read). */
    public Duration metadataTimeout() {
        return metadataTimeout;
    }

    /** How long a file download may wait for a connection or stall between reads. */
    public Duration downloadTimeout() {
        return downloadTimeout;
    }

    public HubSettings withOffline(boolean value) {
        return new HubSettings(cacheDirectory, endpoint, token, value, metadataTimeout, downloadTimeout);
    }

    @Override
    public String toString() { // never the token itself
        return "HubSettings[cache=" + cacheDirectory + ", endpoint=" + endpoint + ", token=" + (token == null ? "none" : "set")
                + ", offline=" + offline + "]";
    }
}
