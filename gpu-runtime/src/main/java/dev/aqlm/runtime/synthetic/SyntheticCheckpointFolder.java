package dev.aqlm.runtime.synthetic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aqlm.runtime.errors.AqlmException;
import dev.aqlm.runtime.io.IoFailures;
import dev.aqlm.runtime.io.OutputFolders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Puts a synthetic checkpoint into a folder without ever touching files it did not write. The folder must be absent,
 * empty, or (when replacing is allowed) a synthetic checkpoint written earlier, recognised by its marker file, which
 * lists the files it wrote: only those are replaced or removed. The checkpoint is written into a temporary sibling
 * first and the marker moves in last, so a crash leaves either the old checkpoint or the new one marked complete.
 */
public final class SyntheticCheckpointFolder {
    /** Written last; its presence means the listed files are a complete synthetic checkpoint. */
    public static final String MARKER = ".aqlm-synthetic.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private SyntheticCheckpointFolder() {
    }

    /** Whether {@code folder} holds a complete synthetic checkpoint (its marker and every file it lists). */
    public static boolean isComplete(Path folder) {
        List<String> files = markedFiles(folder);
        return files != null && files.stream().allMatch(name -> Files.isRegularFile(folder.resolve(name)));
    }

    /**
     * Fails, before anything is written, when {@code folder} holds anything but an earlier synthetic checkpoint (or,
     * without {@code replace}, anything at all).
     *
     * @param option the option naming the folder, and {@code flag} the one that allows replacing, for messages
     */
    public static void requireWritable(Path given, boolean replace, String option, String flag) {
        Path folder = given.toAbsolutePath().normalize(); // "--output ." is named as the folder it is
        OutputFolders.requireCreatable(folder, option + " " + folder);
        if (!Files.exists(folder)) {
            return;
        }
        if (!Files.isDirectory(folder)) {
            throw new AqlmException(option + " " + folder + " is a file; give a folder for the checkpoint");
        }
        List<String> present = entries(folder);
        if (present.isEmpty()) {
            return;
        }
        List<String> ours = markedFiles(folder);
        if (ours == null) {
            throw new AqlmException(folder + " is not empty and is not a synthetic checkpoint written by aqlm-spark"
                    + " (no " + MARKER + "; it has " + OutputFolders.sample(present) + "): it is never written over,"
                    + " even with " + flag + "; choose another " + option);
        }
        if (!replace) {
            throw new AqlmException(folder + " already holds a synthetic checkpoint: add " + flag + " to replace it,"
                    + " or choose another " + option);
        }
    }

    /** Writes {@code writer}'s checkpoint into {@code folder}; see {@link #requireWritable} for what is refused. */
    public static void write(SyntheticModelWriter writer, Path folder, boolean replace, String option, String flag) {
        requireWritable(folder, replace, option, flag);
        Path parent = folder.toAbsolutePath().getParent();
        Path partial = null;
        try {
            Files.createDirectories(parent);
            partial = Files.createTempDirectory(parent, "." + folder.getFileName() + ".partial-");
            writer.write(partial);
            List<String> written = entries(partial);
            writeMarker(partial, written);
            List<String> previous = Files.isDirectory(folder) ? markedFiles(folder) : null;
            Files.createDirectories(folder);
            for (String name : written) {
                Files.move(partial.resolve(name), folder.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(partial.resolve(MARKER), folder.resolve(MARKER), StandardCopyOption.REPLACE_EXISTING);
            if (previous != null) {
                for (String name : previous) {
                    if (!written.contains(name)) {
                        Files.deleteIfExists(folder.resolve(name));
                    }
                }
            }
        } catch (IOException e) {
            throw new AqlmException("cannot write the synthetic checkpoint to " + folder + ": "
                    + IoFailures.describe(e), e);
        } finally {
            deleteQuietly(partial);
        }
    }

    private static void writeMarker(Path folder, List<String> files) throws IOException {
        ObjectNode marker = JSON.createObjectNode();
        marker.put("written_by", "aqlm-spark synthesize (random weights)");
        files.forEach(marker.putArray("files")::add);
        Files.write(folder.resolve(MARKER), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(marker));
    }

    /** The files the marker lists, or null when there is no readable marker. */
    private static List<String> markedFiles(Path folder) {
        Path marker = folder.resolve(MARKER);
        if (!Files.isRegularFile(marker)) {
            return null;
        }
        try {
            JsonNode files = JSON.readTree(marker.toFile()).path("files");
            if (!files.isArray()) {
                return null;
            }
            List<String> names = new ArrayList<>();
            for (JsonNode name : files) {
                String text = name.asText();
                if (text.contains("/") || text.contains("\\") || text.startsWith(".")) {
                    return null; // a marker naming files outside the checkpoint was not written by us
                }
                names.add(text);
            }
            return names;
        } catch (IOException e) {
            return null;
        }
    }

    private static List<String> entries(Path folder) {
        try (Stream<Path> list = Files.list(folder)) {
            return list.map(path -> path.getFileName().toString()).filter(name -> !name.equals(MARKER)).sorted()
                    .toList();
        } catch (IOException e) {
            throw new AqlmException("cannot list " + folder + ": " + IoFailures.describe(e), e);
        }
    }


    private static void deleteQuietly(Path folder) {
        if (folder == null || !Files.exists(folder)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException ignored) {
            // a temporary folder we could not remove is left behind, named .<folder>.partial-*
        }
    }
}
