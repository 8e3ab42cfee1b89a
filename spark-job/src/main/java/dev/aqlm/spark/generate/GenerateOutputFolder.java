package dev.aqlm.spark.generate;

import dev.aqlm.runtime.errors.AqlmException;
import dev.aqlm.runtime.io.OutputFolders;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The bulk-generation job's output folder, prepared before any generation: created, checked for resume, or replaced.
 * Replacing (--overwrite) removes only what the job itself writes (Spark's part files and commit markers, and the
 * job's fingerprint) and only in a folder that the fingerprint marks as this job's output; anything else there (an
 * input file, a user's notes, a whole working directory given as {@code --output .}) makes it refuse, naming what it
 * found, before anything is deleted.
 */
final class GenerateOutputFolder {
    /** What Spark's file writers and this job put into an output folder, checksums included. */
    private static final Pattern OWN_ENTRY = Pattern.compile(
            "\\.?(part-.*|_SUCCESS(\\.crc)?|_temporary|" + Pattern.quote(JobFingerprint.FILE_NAME) + ")(\\.crc)?");

    private final Path output;
    private final FileSystem fs;

    GenerateOutputFolder(String output, Configuration hadoop) {
        try {
            this.fs = new Path(output).getFileSystem(hadoop);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the filesystem of --output " + output, e);
        }
        this.output = fs.makeQualified(new Path(output)); // absolute, so "--output ." is named in messages
    }

    /** Refuses an input that lies in the output folder: the job would read its own part files, or delete its input. */
    void requireApartFrom(String input) {
        try {
            String in = fs.makeQualified(new Path(input)).toString();
            String out = output.toString();
            if (in.equals(out) || in.startsWith(out.endsWith("/") ? out : out + "/")) {
                throw new AqlmException("--input " + input + " lies inside --output " + output + ": write the output"
                        + " to a folder of its own");
            }
        } catch (IllegalArgumentException e) {
            // a path of another filesystem cannot be inside this one
        }
    }

    /** Creates, replaces or checks the folder; true when an earlier run's rows may be in it. */
    boolean prepare(GenerateJobSpec.OutputMode mode, JobFingerprint fingerprint) {
        Configuration hadoop = fs.getConf();
        if ("file".equals(output.toUri().getScheme())) { // a local path: say plainly when a parent is a file
            OutputFolders.requireCreatable(java.nio.file.Path.of(output.toUri()), "--output " + output.toUri().getPath());
        }
        try {
            if (fs.exists(output) && !fs.getFileStatus(output).isDirectory()) {
                throw new AqlmException("--output " + output + " is a file; bulk-generate writes a folder of part"
                        + " files: choose a folder name");
            }
            List<String> entries = fs.exists(output) ? entries() : List.of();
            if (entries.isEmpty()) {
                fs.mkdirs(output);
                fingerprint.write(output, hadoop);
                return false;
            }
            JobFingerprint stored = JobFingerprint.read(output, hadoop);
            List<String> foreign = entries.stream().filter(name -> !OWN_ENTRY.matcher(name).matches()).toList();
            switch (mode) {
                case CREATE -> throw new AqlmException("output " + output + " already exists: add --resume to"
                        + " continue it (rows already there are skipped), --overwrite to replace it, or choose"
                        + " another --output");
                case OVERWRITE -> {
                    requireOwnOutput(stored, entries, foreign, "--overwrite only replaces the output of an earlier"
                            + " bulk-generate");
                    for (String name : entries) {
                        fs.delete(new Path(output, name), true);
                    }
                    fingerprint.write(output, hadoop);
                    return false;
                }
                default -> {
                    if (stored == null) {
                        throw new AqlmException(output + " has files but no " + JobFingerprint.FILE_NAME + " ("
                                + OutputFolders.sample(entries) + "): it is not the output of aqlm-spark"
                                + " bulk-generate, so it cannot be resumed");
                    }
                    fingerprint.requireSameAs(stored, output.toString());
                    return true;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare output " + output, e);
        }
    }

    private void requireOwnOutput(JobFingerprint stored, List<String> entries, List<String> foreign, String rule) {
        if (stored == null) {
            throw new AqlmException(output + " is not the output of aqlm-spark bulk-generate (no "
                    + JobFingerprint.FILE_NAME + "; it has " + OutputFolders.sample(entries) + "): " + rule
                    + "; nothing was deleted. Choose another --output");
        }
        if (!foreign.isEmpty()) {
            throw new AqlmException(output + " holds files bulk-generate did not write ("
                    + OutputFolders.sample(foreign) + "): " + rule + " and never deletes other files; nothing was"
                    + " deleted. Move them away or choose another --output");
        }
    }

    private List<String> entries() throws IOException {
        List<String> names = new ArrayList<>();
        for (FileStatus status : fs.listStatus(output)) {
            names.add(status.getPath().getName());
        }
        names.sort(null);
        return names;
    }

}
