package dev.aqlm.runtime.io;

import dev.aqlm.runtime.errors.AqlmException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Checks, before any work, that a folder exists or can be created where an output goes. */
public final class OutputFolders {
    private OutputFolders() {
    }

    /**
     * Fails, naming {@code what}, when {@code folder} cannot hold new files: an ancestor is a file, or the nearest
     * existing ancestor is not writable.
     */
    public static void requireCreatable(Path folder, String what) {
        Path existing = folder.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return;
        }
        if (!Files.isDirectory(existing)) {
            throw new AqlmException("cannot write " + what + ": " + existing + " is a file, not a folder");
        }
        if (!Files.isWritable(existing)) {
            throw new AqlmException("cannot write " + what + ": the folder " + existing + " is not writable");
        }
    }

    /** A few entries of a folder for a message: "a, b, c" or "a, b, c, d, e and 7 more". */
    public static String sample(List<String> names) {
        return names.size() <= 5 ? String.join(", ", names)
                : String.join(", ", names.subList(0, 5)) + " and " + (names.size() - 5) + " more";
    }
}
