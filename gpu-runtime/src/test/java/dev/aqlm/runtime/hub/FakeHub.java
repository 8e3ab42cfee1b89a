package dev.aqlm.runtime.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Hub on 127.0.0.1 that serves one repository from a folder the way huggingface.co does: the revision API with
 * sizes, git blob ids and LFS sha256s, and {@code resolve} URLs that redirect LFS files to a CDN host ("localhost",
 * a different host name) and serve small files directly.
 */
final class FakeHub implements AutoCloseable {
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    private final HttpServer server;
    private final String repository;
    private final Map<String, byte[]> files = new LinkedHashMap<>();
    private final Map<String, AtomicInteger> downloads = new ConcurrentHashMap<>();
    final List<String> authorizationByPath = new CopyOnWriteArrayList<>();
    volatile boolean corruptWeights;

    /** @param lfsFiles names served through LFS (with a sha256); the rest are plain git files */
    FakeHub(String repository, Path folder, List<String> names, List<String> lfsFiles) throws IOException {
        this.repository = repository;
        for (String name : names) {
            files.put(name, Files.readAllBytes(folder.resolve(name)));
        }
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/models/" + repository + "/revision/", exchange -> revision(exchange, lfsFiles));
        server.createContext("/" + repository + "/resolve/", this::resolve);
        server.createContext("/cdn/", this::cdn);
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    int downloadsOf(String file) {
        return downloads.getOrDefault(file, new AtomicInteger()).get();
    }

    private void revision(HttpExchange exchange, List<String> lfsFiles) throws IOException {
        authorizationByPath.add("api " + exchange.getRequestHeaders().getFirst("Authorization"));
        ObjectNode json = new ObjectMapper().createObjectNode();
        json.put("id", repository);
        json.put("sha", COMMIT);
        ArrayNode siblings = json.putArray("siblings");
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            ObjectNode sibling = siblings.addObject();
            sibling.put("rfilename", file.getKey());
            byte[] bytes = file.getValue();
            if (lfsFiles.contains(file.getKey())) {
                sibling.put("size", 134);
                sibling.put("blobId", hex("SHA-1", ("pointer of " + file.getKey()).getBytes(StandardCharsets.UTF_8)));
                ObjectNode lfs = sibling.putObject("lfs");
                lfs.put("sha256", hex("SHA-256", bytes));
                lfs.put("size", bytes.length);
                lfs.put("pointerSize", 134);
            } else {
                sibling.put("size", bytes.length);
                sibling.put("blobId", gitBlobId(bytes));
            }
        }
        // Files the engine does not need must not be downloaded.
        siblings.addObject().put("rfilename", "pytorch_model.bin").put("size", 10).put("blobId", "ff".repeat(20));
        send(exchange, 200, new ObjectMapper().writeValueAsBytes(json));
    }

    private void resolve(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String rest = path.substring(("/" + repository + "/resolve/").length());
        String commit = rest.substring(0, rest.indexOf('/'));
        String file = rest.substring(rest.indexOf('/') + 1);
        authorizationByPath.add("resolve " + exchange.getRequestHeaders().getFirst("Authorization"));
        if (!commit.equals(COMMIT) || !files.containsKey(file)) {
            send(exchange, 404, "not found".getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (file.endsWith(".safetensors")) {
            exchange.getResponseHeaders().add("Location", "http://localhost:" + server.getAddress().getPort() + "/cdn/" + file);
            send(exchange, 302, new byte[0]);
            return;
        }
        downloads.computeIfAbsent(file, f -> new AtomicInteger()).incrementAndGet();
        send(exchange, 200, files.get(file));
    }

    private void cdn(HttpExchange exchange) throws IOException {
        String file = exchange.getRequestURI().getPath().substring("/cdn/".length());
        authorizationByPath.add("cdn " + exchange.getRequestHeaders().getFirst("Authorization"));
        downloads.computeIfAbsent(file, f -> new AtomicInteger()).incrementAndGet();
        byte[] bytes = files.get(file).clone();
        if (corruptWeights) {
            bytes[bytes.length / 2] ^= 1;
        }
        send(exchange, 200, bytes);
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    static String gitBlobId(byte[] bytes) {
        byte[] header = ("blob " + bytes.length + "\0").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[header.length + bytes.length];
        System.arraycopy(header, 0, all, 0, header.length);
        System.arraycopy(bytes, 0, all, header.length, bytes.length);
        return hex("SHA-1", all);
    }

    static String hex(String algorithm, byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

}
