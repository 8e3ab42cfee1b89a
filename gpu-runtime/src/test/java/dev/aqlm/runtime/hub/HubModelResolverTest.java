package dev.aqlm.runtime.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.Fixtures;
import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.engine.GenerationSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads from a Hub on 127.0.0.1 into a Hugging Face cache, then resolves offline from that cache alone. */
class HubModelResolverTest {
    private static final String REPO = "test-org/tiny-aqlm";
    private static final List<String> FILES = List.of("config.json", "model.safetensors", "tokenizer.json",
            "tokenizer_config.json");
    private static final Path FIXTURE = Fixtures.model("llama-mistraltok-aqlm-2x8");

    @Test
    void downloadsOnceVerifiedThenResolvesOfflineFromTheCache(@TempDir Path home) throws Exception {
        Path snapshot;
        try (FakeHub hub = new FakeHub(REPO, FIXTURE, FILES, List.of("model.safetensors"))) {
            HubSettings online = settings(home, hub, false);
            // Two resolvers at once (two executors of one host): each file is still downloaded once.
            ExecutorService pool = Executors.newFixedThreadPool(2);
            Future<Path> first = pool.submit(() -> new HubModelResolver(online).resolve(HubModelId.parse(REPO)));
            Future<Path> second = pool.submit(() -> new HubModelResolver(online).resolve(HubModelId.parse(REPO)));
            snapshot = first.get();
            assertEquals(snapshot, second.get());
            pool.shutdown();
            for (String file : FILES) {
                assertEquals(1, hub.downloadsOf(file), file + " downloaded once");
            }
            assertEquals(0, hub.downloadsOf("pytorch_model.bin"), "files the engine does not read are skipped");
            assertTrue(hub.authorizationByPath.contains("api Bearer secret-token"), hub.authorizationByPath.toString());
            assertTrue(hub.authorizationByPath.contains("cdn null"), "no token to another host: " + hub.authorizationByPath);
            assertEquals(ModelLocation.pin(REPO, online), REPO + "@" + FakeHub.COMMIT);
        }
        Path cache = home.resolve("hf/hub/models--test-org--tiny-aqlm");
        assertEquals(cache.resolve("snapshots").resolve(FakeHub.COMMIT), snapshot);
        assertEquals(FakeHub.COMMIT, Files.readString(cache.resolve("refs/main")));
        assertTrue(Files.isSymbolicLink(snapshot.resolve("model.safetensors")), "snapshots link into blobs/");
        assertTrue(Files.exists(cache.resolve("blobs").resolve(FakeHub.hex("SHA-256",
                Files.readAllBytes(FIXTURE.resolve("model.safetensors"))))), "LFS blobs are named by sha256");
        for (String file : FILES) {
            assertArrayEquals(Files.readAllBytes(FIXTURE.resolve(file)), Files.readAllBytes(snapshot.resolve(file)), file);
        }

        // The server is gone; offline resolution uses refs/main and the snapshot.
        HubSettings offline = HubSettings.from(Map.of("HF_HOME", home.resolve("hf").toString(), "HF_HUB_OFFLINE", "1",
                "HF_ENDPOINT", "http://127.0.0.1:9"), home.toString());
        assertTrue(offline.offline());
        Path again = ModelLocation.resolve(REPO, offline);
        assertEquals(snapshot, again);
        try (LanguageModel fromCache = LanguageModel.load(again, EngineOptions.cpu().withCpuThreads(1).withSlots(1));
             LanguageModel original = LanguageModel.load(FIXTURE, EngineOptions.cpu().withCpuThreads(1).withSlots(1))) {
            assertEquals(original.generate("Hello there", GenerationSettings.greedy(4)).completion(),
                    fromCache.generate("Hello there", GenerationSettings.greedy(4)).completion());
        }
        HubException missing = assertThrows(HubException.class,
                () -> ModelLocation.resolve("test-org/other-model", offline));
        assertTrue(missing.getMessage().contains("not in the Hugging Face cache") && missing.getMessage().contains("HF_HUB_OFFLINE"),
                missing.getMessage());
    }

    @Test
    void aCorruptedDownloadIsRejectedAndLeavesNoBlob(@TempDir Path home) throws Exception {
        try (FakeHub hub = new FakeHub(REPO, FIXTURE, FILES, List.of("model.safetensors"))) {
            hub.corruptWeights = true;
            HubException error = assertThrows(HubException.class,
                    () -> new HubModelResolver(settings(home, hub, false)).resolve(HubModelId.parse(REPO)));
            assertTrue(error.getMessage().contains("model.safetensors") && error.getMessage().contains("checksum"),
                    error.getMessage());
            long weightsSize = Files.size(FIXTURE.resolve("model.safetensors"));
            try (Stream<Path> blobs = Files.list(home.resolve("hf/hub/models--test-org--tiny-aqlm/blobs"))) {
                assertFalse(blobs.anyMatch(p -> p.getFileName().toString().endsWith(".incomplete")
                        || p.toFile().length() == weightsSize), "no corrupt blob kept");
            }
            hub.corruptWeights = false;
            Path snapshot = new HubModelResolver(settings(home, hub, false)).resolve(HubModelId.parse(REPO));
            assertTrue(HubCache.missingModelFiles(snapshot).isEmpty(), "a retry completes the snapshot");
        }
    }

    @Test
    void anUnknownModelNamesTheIdAndWhatToDo(@TempDir Path home) throws Exception {
        try (FakeHub hub = new FakeHub(REPO, FIXTURE, FILES, List.of())) {
            HubException error = assertThrows(HubException.class, () -> new HubModelResolver(settings(home, hub, false))
                    .resolve(HubModelId.parse("test-org/no-such-model")));
            assertTrue(error.getMessage().contains("no model test-org/no-such-model@main (HTTP 404)"), error.getMessage());
        }
    }

    @Test
    void settingsFollowHuggingFaceHubEnvironmentVariables(@TempDir Path home) throws Exception {
        Files.createDirectories(home.resolve("hf"));
        Files.writeString(home.resolve("hf/token"), "file-token\n");
        HubSettings fromHome = HubSettings.from(Map.of("HF_HOME", home.resolve("hf").toString()), "/nonexistent");
        assertEquals(home.resolve("hf/hub"), fromHome.cacheDirectory());
        assertEquals("file-token", fromHome.token());
        assertEquals("https://huggingface.co", fromHome.endpoint().toString());
        assertFalse(fromHome.offline());
        assertFalse(fromHome.toString().contains("file-token"), "the token is never printed");
        HubSettings explicit = HubSettings.from(Map.of("HF_HOME", home.resolve("hf").toString(), "HF_HUB_CACHE", "/data/hub",
                "HF_TOKEN", "env-token", "HF_ENDPOINT", "https://mirror.example/", "HF_HUB_OFFLINE", "true"), "/x");
        assertEquals(Path.of("/data/hub"), explicit.cacheDirectory());
        assertEquals("env-token", explicit.token());
        assertEquals("https://mirror.example", explicit.endpoint().toString());
        assertTrue(explicit.offline());
        assertEquals(Path.of("/home/u/.cache/huggingface/hub"), HubSettings.from(Map.of(), "/home/u").cacheDirectory());
    }

    @Test
    void aMirrorThatNeverAnswersCostsSecondsNotMinutes(@TempDir Path home) throws Exception {
        Path snapshot;
        try (FakeHub hub = new FakeHub(REPO, FIXTURE, FILES, List.of("model.safetensors"))) {
            snapshot = new HubModelResolver(settings(home, hub, false)).resolve(HubModelId.parse(REPO));
        }
        try (SilentMirror mirror = new SilentMirror()) {
            HubSettings stalled = HubSettings.from(Map.of("HF_HOME", home.resolve("hf").toString(),
                    "HF_ENDPOINT", mirror.endpoint().toString(), "HF_HUB_ETAG_TIMEOUT", "1",
                    "HF_HUB_DOWNLOAD_TIMEOUT", "1"), home.toString());

            // A pinned commit that is complete in the cache: no request at all.
            assertEquals(snapshot, new HubModelResolver(stalled).resolve(HubModelId.parse(REPO + "@" + FakeHub.COMMIT)));
            assertEquals(0, mirror.connections(), "a cached commit needs no request");

            // A branch: one request, given up after the 1 s timeout, then the cached revision.
            long start = System.nanoTime();
            assertEquals(snapshot, new HubModelResolver(stalled).resolve(HubModelId.parse(REPO)));
            assertEquals(FakeHub.COMMIT, new HubModelResolver(stalled).commitOf(HubModelId.parse(REPO)));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(seconds < 8, "two 1 s timeouts took " + seconds + " s");
            assertTrue(mirror.connections() >= 1, "the branch was asked for");

            // Not cached: a clear error within seconds, naming the mirror and the setting.
            HubException error = assertThrows(HubException.class,
                    () -> new HubModelResolver(stalled).resolve(HubModelId.parse("test-org/not-cached")));
            assertTrue(error.getMessage().contains("not in the Hugging Face cache")
                    && error.getMessage().contains("did not answer within 1 s"), error.getMessage());
        }
    }

    @Test
    void badTimeoutAndEndpointSettingsAreNamed(@TempDir Path home) {
        HubException timeout = assertThrows(HubException.class, () -> HubSettings.from(
                Map.of("HF_HUB_ETAG_TIMEOUT", "-1"), home.toString()));
        assertTrue(timeout.getMessage().contains("HF_HUB_ETAG_TIMEOUT must be a positive number"), timeout.getMessage());
        HubException endpoint = assertThrows(HubException.class, () -> HubSettings.from(
                Map.of("HF_ENDPOINT", "mirror.local"), home.toString()));
        assertTrue(endpoint.getMessage().contains("HF_ENDPOINT 'mirror.local' is not a URL"), endpoint.getMessage());
    }

    @Test
    void hubIdsParseWithRevisions() {
        assertEquals(new HubModelId("ISTA-DASLab/Llama-2-7b-AQLM-2Bit-1x16-hf", "main"),
                HubModelId.parse("ISTA-DASLab/Llama-2-7b-AQLM-2Bit-1x16-hf"));
        HubModelId pinned = HubModelId.parse("org/name@" + FakeHub.COMMIT);
        assertTrue(pinned.pinned());
        assertEquals("models--org--name", pinned.cacheFolderName());
        assertFalse(HubModelId.parse("org/name@v1.0").pinned());
        assertFalse(HubModelId.looksLike("/abs/path"));
        assertFalse(HubModelId.looksLike("a/b/c"));
    }

    private static HubSettings settings(Path home, FakeHub hub, boolean offline) {
        return HubSettings.from(Map.of("HF_HOME", home.resolve("hf").toString(), "HF_ENDPOINT", hub.endpoint().toString(),
                "HF_TOKEN", "secret-token", "HF_HUB_OFFLINE", offline ? "1" : "0"), home.toString());
    }
}
