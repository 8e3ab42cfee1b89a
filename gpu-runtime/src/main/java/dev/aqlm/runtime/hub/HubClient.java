package dev.aqlm.runtime.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The two Hub endpoints a model download needs: the revision's metadata ({@code /api/models/{repo}/revision/{rev}
 * ?blobs=true}: commit hash, file sizes and checksums) and the file contents ({@code /{repo}/resolve/{commit}/{file}}).
 * Redirects (LFS files are served from a CDN) are followed by hand so the token goes to the Hub's own host only.
 * Every connection and every read has a timeout in seconds (HF_HUB_ETAG_TIMEOUT for metadata, HF_HUB_DOWNLOAD_TIMEOUT
 * for files, as huggingface_hub), so a mirror that accepts connections but never answers fails fast instead of
 * stalling the command; the resolver then falls back to the cache.
 */
public final class HubClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_REDIRECTS = 5;

    private final HubSettings settings;

    public HubClient(HubSettings settings) {
        this.settings = settings;
    }

    public RepoSnapshot revision(HubModelId id) throws IOException {
        URI uri = URI.create(settings.endpoint() + "/api/models/" + id.repository() + "/revision/"
                + URLEncoder.encode(id.revision(), StandardCharsets.UTF_8) + "?blobs=true");
        HttpURLConnection response = get(uri, settings.metadataTimeout());
        try (InputStream body = body(response)) {
            if (response.getResponseCode() != 200) {
                throw new HubException(describeFailure(id, response.getResponseCode()));
            }
            JsonNode json = JSON.readTree(body);
            String commit = json.path("sha").asText(null);
            if (commit == null) {
                throw new HubException(uri + ": the Hub's answer has no commit hash (\"sha\")");
            }
            List<RepoFile> files = new ArrayList<>();
            for (JsonNode sibling : json.path("siblings")) {
                JsonNode lfs = sibling.path("lfs");
                files.add(new RepoFile(sibling.path("rfilename").asText(),
                        lfs.isObject() ? lfs.path("size").asLong(-1) : sibling.path("size").asLong(-1),
                        sibling.path("blobId").asText(null),
                        lfs.isObject() ? lfs.path("sha256").asText(null) : null));
            }
            return new RepoSnapshot(commit, files);
        } catch (SocketTimeoutException e) {
            throw timedOut(uri, settings.metadataTimeout(), e);
        }
    }

    /** Streams one file of a commit; the caller verifies and stores it. A read that stalls throws. */
    public InputStream open(HubModelId id, String commit, String file) throws IOException {
        URI uri = URI.create(settings.endpoint() + "/" + id.repository() + "/resolve/" + commit + "/" + file);
        HttpURLConnection response = get(uri, settings.downloadTimeout());
        if (response.getResponseCode() != 200) {
            body(response).close();
            throw new HubException("downloading " + file + " of " + id + " failed: HTTP " + response.getResponseCode()
                    + " from " + uri);
        }
        return response.getInputStream();
    }

    private HttpURLConnection get(URI uri, Duration timeout) throws IOException {
        URI current = uri;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpURLConnection connection = (HttpURLConnection) current.toURL().openConnection();
            connection.setInstanceFollowRedirects(false);
            connection.setConnectTimeout((int) timeout.toMillis());
            connection.setReadTimeout((int) timeout.toMillis()); // each read, the response headers included
            connection.setRequestProperty("User-Agent", "aqlm-spark");
            if (settings.token() != null && current.getHost() != null
                    && current.getHost().equalsIgnoreCase(settings.endpoint().getHost())) {
                connection.setRequestProperty("Authorization", "Bearer " + settings.token());
            }
            int status;
            try {
                status = connection.getResponseCode();
            } catch (SocketTimeoutException e) {
                throw timedOut(current, timeout, e);
            }
            if (status / 100 != 3) {
                return connection;
            }
            body(connection).close();
            String location = connection.getHeaderField("Location");
            if (location == null) {
                throw new HubException("HTTP " + status + " without a Location from " + uri);
            }
            current = current.resolve(location);
        }
        throw new HubException("more than " + MAX_REDIRECTS + " redirects from " + uri);
    }

    private static InputStream body(HttpURLConnection connection) throws IOException {
        InputStream error = connection.getErrorStream();
        return error != null ? error : connection.getResponseCode() >= 400 ? InputStream.nullInputStream()
                : connection.getInputStream();
    }

    private static IOException timedOut(URI uri, Duration timeout, SocketTimeoutException cause) {
        return new SocketTimeoutException(uri.getScheme() + "://" + uri.getAuthority() + " did not answer within "
                + timeout.toSeconds() + " s (HF_HUB_ETAG_TIMEOUT / HF_HUB_DOWNLOAD_TIMEOUT set the limits)");
    }

    private String describeFailure(HubModelId id, int status) {
        return switch (status) {
            case 401, 403 -> "the Hub refused access to " + id + " (HTTP " + status + "): for a gated or private model,"
                    + " accept its license on the Hub and set HF_TOKEN (or run `huggingface-cli login`)";
            case 404 -> "the Hub has no model " + id + " (HTTP 404): check the id and revision"
                    + (settings.token() == null ? ", or set HF_TOKEN if it is private" : "");
            default -> "the Hub answered HTTP " + status + " for " + id + " at " + settings.endpoint();
        };
    }
}
