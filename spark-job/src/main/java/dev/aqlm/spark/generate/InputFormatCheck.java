package dev.aqlm.spark.generate;

import dev.aqlm.runtime.errors.AqlmException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Catches the commonest --input-format mistake before Spark reads (where it fails each task with a logged trace):
 * a Parquet file starts with the bytes "PAR1" and a text file (JSONL, CSV, plain text) does not. Only the first data
 * file is looked at, and only its first four bytes.
 */
final class InputFormatCheck {
    private static final byte[] PARQUET_MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);

    private InputFormatCheck() {
    }

    static void requireConsistent(String input, InputFormat format, Configuration hadoop) {
        try {
            Path path = new Path(input);
            FileSystem fs = path.getFileSystem(hadoop);
            Path first = firstDataFile(fs, path);
            if (first == null || fs.getFileStatus(first).getLen() < PARQUET_MAGIC.length) {
                return;
            }
            byte[] head = new byte[PARQUET_MAGIC.length];
            try (InputStream in = fs.open(first)) {
                if (in.readNBytes(head, 0, head.length) < head.length) {
                    return;
                }
            }
            boolean parquet = Arrays.equals(head, PARQUET_MAGIC);
            if (format == InputFormat.PARQUET && !parquet) {
                throw new AqlmException(first + " is not a Parquet file, but the input is read as parquet: give"
                        + " --input-format jsonl, csv or text as the file is");
            }
            if (format != InputFormat.PARQUET && parquet) {
                throw new AqlmException(first + " is a Parquet file, but the input is read as "
                        + format.name().toLowerCase(java.util.Locale.ROOT) + ": give --input-format parquet");
            }
        } catch (IOException e) {
            // unreadable here: Spark's reader reports it with its own reason
        }
    }

    private static Path firstDataFile(FileSystem fs, Path path) throws IOException {
        if (!fs.exists(path)) {
            return null;
        }
        if (fs.getFileStatus(path).isFile()) {
            return path;
        }
        for (FileStatus child : fs.listStatus(path)) {
            String name = child.getPath().getName();
            if (child.isFile() && !name.startsWith("_") && !name.startsWith(".")) {
                return child.getPath();
            }
        }
        return null;
    }
}
