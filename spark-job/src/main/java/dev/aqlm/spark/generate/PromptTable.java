package dev.aqlm.spark.generate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.when;

import dev.aqlm.runtime.errors.AqlmException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

/**
 * Reads the file job's prompts (JSONL, Parquet, CSV with a header, or plain text with one prompt per line) into the
 * canonical rows of {@link PromptColumns}, as {@link CanonicalPrompts} reads any records; what is the file's own: the
 * format, the raw text of records the reader could not parse, and ids from file and row ({@link RowIds}) when there
 * is no id column.
 */
public final class PromptTable {
    private static final String MALFORMED_ID = "__aqlm_id_or_row";
    private final SparkSession spark;
    private final String input;
    private final InputFormat format;
    private final CanonicalPrompts columns;
    private Dataset<Row> raw;

    /**
     * @param format       null to infer from the file extension(s)
     * @param promptColumn ignored for text input, where each line is a prompt
     * @param idColumn     null to use the input's "id" column if it has one, else ids from file name and row number
     */
    public PromptTable(SparkSession spark, String input, InputFormat format, String promptColumn, String idColumn,
                       boolean rowOverrides) {
        this.spark = spark;
        this.input = input;
        this.format = format != null ? format : inferFormat(spark, input);
        InputFormatCheck.requireConsistent(input, this.format, spark.sparkContext().hadoopConfiguration());
        this.columns = new CanonicalPrompts(PromptSource.file(input, this.format),
                this.format == InputFormat.TEXT ? "value" : promptColumn, idColumn, rowOverrides);
    }

    public InputFormat format() {
        return format;
    }

    PromptSource source() {
        return columns.source();
    }

    /** The column the ids come from, or null when they are generated ({@code <file>:<row>}). */
    public String idColumn() {
        return columns.idColumn(raw());
    }

    /** Whether the user named the id column (else the input's own "id" column, if any, gives the ids). */
    boolean idColumnRequested() {
        return columns.idColumnRequested();
    }

    public boolean generatesIds() {
        return idColumn() == null;
    }

    /** The override columns this input has (and that will be used). */
    public List<String> overrideColumns() {
        return columns.overrideColumns(raw());
    }

    /** The raw input as the format's reader gives it (read once: JSON and CSV readers scan to infer the schema). */
    public Dataset<Row> raw() {
        if (raw == null) {
            raw = read();
            columns.validate(raw.schema());
        }
        return raw;
    }

    private Dataset<Row> read() {
        DataFrameReader reader = spark.read();
        return switch (format) {
            case JSONL -> reader.option("mode", "PERMISSIVE")
                    .option("columnNameOfCorruptRecord", PromptColumns.MALFORMED).json(input);
            case CSV -> reader.option("header", "true").option("multiLine", "true").option("escape", "\"")
                    .option("mode", "PERMISSIVE").csv(input);
            case PARQUET -> reader.parquet(input);
            case TEXT -> reader.text(input);
        };
    }

    /** The canonical rows: every column of {@link PromptColumns#ALL}, as strings. */
    public Dataset<Row> canonical() {
        Dataset<Row> records = raw();
        String idColumn = idColumn();
        if (idColumn == null) {
            records = new RowIds(spark, records).withIds();
            idColumn = RowIds.COLUMN;
        }
        boolean hasMalformed = Arrays.asList(records.columns()).contains(PromptColumns.MALFORMED);
        if (hasMalformed && !idColumn.equals(RowIds.COLUMN)) {
            // A record the reader could not parse has no id of its own: it gets its <file>:<row> id, so it becomes an
            // error row as it does in an input without an id column, instead of a null id failing the whole job.
            records = new RowIds(spark, records).withIds().withColumn(MALFORMED_ID,
                    when(col(PromptColumns.MALFORMED).isNotNull().and(col(CanonicalPrompts.quoted(idColumn)).isNull()),
                            col(RowIds.COLUMN))
                            .otherwise(col(CanonicalPrompts.quoted(idColumn)).cast(DataTypes.StringType)));
            idColumn = MALFORMED_ID;
        }
        return columns.select(records, idColumn, hasMalformed ? PromptColumns.MALFORMED : null);
    }

    private static InputFormat inferFormat(SparkSession spark, String input) {
        org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(input);
        try {
            FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.exists(path)) {
                throw new AqlmException("input " + input + " does not exist");
            }
            FileStatus status = fs.getFileStatus(path);
            List<String> names = new ArrayList<>();
            if (status.isDirectory()) {
                for (FileStatus child : fs.listStatus(path)) {
                    String name = child.getPath().getName();
                    if (child.isFile() && !name.startsWith("_") && !name.startsWith(".")) {
                        names.add(name);
                    }
                }
            } else {
                names.add(path.getName());
            }
            for (String name : names) {
                InputFormat format = InputFormat.fromFileName(name);
                if (format != null) {
                    return format;
                }
            }
            throw new AqlmException("cannot tell the format of " + input + " from its file name(s) " + names
                    + ": give --input-format jsonl, parquet, csv or text");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + input, e);
        }
    }
}
