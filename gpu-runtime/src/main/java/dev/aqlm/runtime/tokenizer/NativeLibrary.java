package dev.aqlm.runtime.tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The tokenizers library extracts its bundled native library into DJL_CACHE_DIR (default ~/.djl.ai). On a Spark
 * executor the home directory may be read-only or shared, so unless the user chose a directory we use one under
 * java.io.tmpdir, and we never let it try to download anything.
 */
final class NativeLibrary {
    private NativeLibrary() {
    }

    static synchronized void prepareCacheDirectory() {
        if (System.getenv("DJL_CACHE_DIR") == null && System.getProperty("DJL_CACHE_DIR") == null) {
            Path home = Path.of(System.getProperty("user.home", "/nonexistent"));
            if (!Files.isWritable(home)) {
                System.setProperty("DJL_CACHE_DIR",
                        Path.of(System.getProperty("java.io.tmpdir"), "aqlm-djl-cache").toString());
            }
        }
        if (System.getenv("DJL_OFFLINE") == null && System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true"); // DJL's switch: use the bundled library, never download one
        }
    }
}
