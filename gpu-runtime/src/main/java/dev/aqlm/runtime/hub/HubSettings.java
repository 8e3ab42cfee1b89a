package dev.aqlm.runtime.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where the Hugging Face Hub cache lives and how to reach the Hub, read from the same environment variables as
 * huggingface_hub reads, so both share one cache: HF_HUB_CACHE (or HF_HOME/hub, default ~/.cache/huggingface/hub),
 * HF_ENDPOINT, HF_HUB_OFFLINE, and the token from HF_TOKEN or the token file (HF_TOKEN_PATH, default HF_HOME/token).
 */
public final class HubSettings {
    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";

    private final Path cacheDirectory;
    private final URI endpoint;
    private final String token;
    private final boolean offline;

    public HubSettings(Path cacheDirectory, URI endpoint, String token, boolean offline) {
        this.cacheDirectory = cacheDirectory;
        this.endpoint = endpoint;
        this.token = token == null || token.isBlank() ? null : token.strip();
        this.offline = offline;
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
        return new HubSettings(hubCache, URI.create(endpoint), token(env, hfHome), offline);
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

    public HubSettings withOffline(boolean value) {
        return new HubSettings(cacheDirectory, endpoint, token, value);
    }

    @Override
    public String toString() { // never the token itself
        return "HubSettings[cache=" + cacheDirectory + ", endpoint=" + endpoint + ", token=" + (token == null ? "none" : "set")
                + ", offline=" + offline + "]";
    }
}
