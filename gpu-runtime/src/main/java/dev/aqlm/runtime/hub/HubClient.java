package dev.aqlm.runtime.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The two Hub endpoints a model download needs: the revision's metadata ({@code /api/models/{repo}/revision/{rev}
 * ?blobs=true}: commit hash, file sizes and checksums) and the file contents ({@code /{repo}/resolve/{commit}/{file}}).
 * Redirects (LFS files are served from a CDN) are followed by hand so the token goes to the Hub's own host only.
 */
public final class HubClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_REDIRECTS = 5;

    private final HubSettings settings;
    private final HttpClient http;

    public HubClient(HubSettings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(20)).build();
    }

    public RepoSnapshot revision(HubModelId id) throws IOException {
        URI uri = URI.create(settings.endpoint() + "/api/models/" + id.repository() + "/revision/"
                + URLEncoder.encode(id.revision(), StandardCharsets.UTF_8) + "?blobs=true");
        HttpResponse<InputStream> response = get(uri);
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new HubException(describeFailure(id, response.statusCode()));
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
        }
    }

    /** Streams one file of a commit; the caller verifies and stores it. */
    public InputStream open(HubModelId id, String commit, String file) throws IOException {
        URI uri = URI.create(settings.endpoint() + "/" + id.repository() + "/resolve/" + commit + "/" + file);
        HttpResponse<InputStream> response = get(uri);
        if (response.statusCode() != 200) {
            response.body().close();
            throw new HubException("downloading " + file + " of " + id + " failed: HTTP " + response.statusCode()
                    + " from " + uri);
        }
        return response.body();
    }

    private HttpResponse<InputStream> get(URI uri) throws IOException {
        URI current = uri;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(current).timeout(Duration.ofMinutes(10))
                    .header("User-Agent", "aqlm-spark");
            if (settings.token() != null && current.getHost() != null
                    && current.getHost().equalsIgnoreCase(settings.endpoint().getHost())) {
                request.header("Authorization", "Bearer " + settings.token());
            }
            HttpResponse<InputStream> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while requesting " + current, e);
            }
            int status = response.statusCode();
            if (status / 100 != 3) {
                return response;
            }
            response.body().close();
            String location = response.headers().firstValue("Location")
                    .orElseThrow(() -> new HubException("HTTP " + status + " without a Location from " + uri));
            current = current.resolve(location);
        }
        throw new HubException("more than " + MAX_REDIRECTS + " redirects from " + uri);
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
