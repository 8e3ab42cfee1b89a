package dev.aqlm.runtime.io;

import dev.aqlm.runtime.errors.AqlmException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.function.Predicate;

/**
 * A file a command writes, written whole or not at all: into a temporary sibling whose every write is checked, then
 * renamed over the target, so a full disk or a crash never leaves a cut-off file that looks complete. An existing file
 * is replaced only when the user asked ({@code overwriteFlag}) and only when it is recognisably this command's own
 * output; anything else is refused before any work, naming the path and what to do. Targets that are not regular files
 * (/dev/stdout, a pipe, a device) are written in place, their writes checked the same way.
 */
public final class OutputFile {
    /** What goes into the file; any IOException (a full disk included) fails the whole write. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private final Path path;
    private final String option;
    private final String overwriteFlag;
    private final boolean overwrite;
    private final String kind;
    private final Predicate<Path> ownOutput;

    /**
     * @param option        the option that named the path, for messages ("--output")
     * @param overwriteFlag the flag that allows replacing an earlier output ("--overwrite"), or null where none exists
     * @param overwrite     whether that flag was given
     * @param kind          what this command writes, for messages ("a generate results file")
     * @param ownOutput     recognises a file this command wrote earlier (the only kind it may replace)
     */
    public OutputFile(Path path, String option, String overwriteFlag, boolean overwrite, String kind,
                      Predicate<Path> ownOutput) {
        this.path = path;
        this.option = option;
        this.overwriteFlag = overwriteFlag;
        this.overwrite = overwrite;
        this.kind = kind;
        this.ownOutput = ownOutput;
    }

    /** A file that must not exist yet (its name is unique to this run, e.g. dated). */
    public static OutputFile createNew(Path path, String kind) {
        return new OutputFile(path, "output", null, false, kind, existing -> false);
    }

    public Path path() {
        return path;
    }

    /** Fails now, before any expensive work, when the file could not be written where it is asked for. */
    public OutputFile checkWritable() {
        OutputFolders.requireCreatable(path.toAbsolutePath().getParent(), option + " " + path);
        if (Files.isDirectory(path)) {
            throw new AqlmException(option + " " + path + " is a folder; give a file name");
        }
        if (Files.isRegularFile(path)) {
            if (overwriteFlag == null) {
                throw new AqlmException(path + " already exists; " + option + " never replaces a file: move it away"
                        + " or choose another " + option);
            }
            if (!overwrite) {
                throw new AqlmException(path + " already exists: choose another " + option + ", or add "
                        + overwriteFlag + " to replace it (only " + kind + " is replaced)");
            }
            if (!ownOutput.test(path)) {
                throw new AqlmException(path + " is not " + kind + ", so " + overwriteFlag
                        + " does not replace it: move it away or choose another " + option);
            }
        }
        return this;
    }

    /** Checks the target again (it may have appeared meanwhile), then writes it whole or not at all. */
    public void write(Content content) {
        checkWritable();
        try {
            if (Files.exists(path) && !Files.isRegularFile(path)) {
                try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.WRITE)) {
                    content.writeTo(out);
                    out.flush();
                }
                return;
            }
            Path parent = path.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path partial = Files.createTempFile(parent, "." + path.getFileName() + ".", ".partial");
            try {
                try (OutputStream out = Files.newOutputStream(partial, StandardOpenOption.WRITE)) {
                    content.writeTo(out);
                    out.flush();
                }
                moveIntoPlace(partial);
            } finally {
                Files.deleteIfExists(partial);
            }
        } catch (IOException e) {
            throw new AqlmException("cannot write " + path + ": " + IoFailures.describe(e)
                    + "; nothing was left under that name", e);
        }
    }

    private void moveIntoPlace(Path partial) throws IOException {
        try {
            Files.move(partial, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(partial, path, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
