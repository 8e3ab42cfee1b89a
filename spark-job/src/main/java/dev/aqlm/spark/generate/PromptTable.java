package dev.aqlm.spark.generate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.aqlm.runtime.AqlmException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructType;

/**
 * Reads the job's prompts (JSONL, Parquet, CSV with a header, or plain text with one prompt per line) into the
 * canonical rows of {@link PromptColumns}: a string id (from the id column, or {@link RowIds} when there is none),
 * the prompt as text, the override columns the input has, and the raw text of records the reader could not parse.
 */
public final class PromptTable {
    private final SparkSession spark;
    private final String input;
    private final InputFormat format;
    private final String promptColumn;
    private final String requestedIdColumn;
    private final boolean rowOverrides;
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
        this.promptColumn = this.format == InputFormat.TEXT ? "value" : promptColumn;
        this.requestedIdColumn = idColumn;
        this.rowOverrides = rowOverrides;
    }

    public InputFormat format() {
        return format;
    }

    /** The column the ids come from, or null when they are generated ({@code <file>:<row>}). */
    public String idColumn() {
        if (requestedIdColumn != null) {
            return requestedIdColumn;
        }
        return Arrays.asList(raw().columns()).contains(PromptColumns.ID) ? PromptColumns.ID : null;
    }

    public boolean generatesIds() {
        return idColumn() == null;
    }

    /** The override columns this input has (and that will be used). */
    public List<String> overrideColumns(Dataset<Row> raw) {
        List<String> present = Arrays.asList(raw.columns());
        return rowOverrides ? PromptColumns.OVERRIDES.stream().filter(present::contains).toList() : List.of();
    }

    /** The raw input as the format's reader gives it (read once: JSON and CSV readers scan to infer the schema). */
    public Dataset<Row> raw() {
        if (raw == null) {
            raw = read();
        }
        return raw;
    }

    private Dataset<Row> read() {
        DataFrameReader reader = spark.read();
        Dataset<Row> raw = switch (format) {
            case JSONL -> reader.option("mode", "PERMISSIVE")
                    .option("columnNameOfCorruptRecord", PromptColumns.MALFORMED).json(input);
            case CSV -> reader.option("header", "true").option("multiLine", "true").option("escape", "\"")
                    .option("mode", "PERMISSIVE").csv(input);
            case PARQUET -> reader.parquet(input);
            case TEXT -> reader.text(input);
        };
        validate(raw);
        return raw;
    }

    /** The canonical rows: every column of {@link PromptColumns#ALL}, as strings. */
    public Dataset<Row> canonical() {
        Dataset<Row> source = raw();
        String idColumn = idColumn();
        Column id = idColumn != null ? col(quoted(idColumn)).cast(DataTypes.StringType) : null;
        if (id == null) {
            RowIds ids = new RowIds(spark, source);
            source = ids.withIds();
            id = col(RowIds.COLUMN);
        }
        List<String> overrides = overrideColumns(source);
        List<Column> columns = new ArrayList<>();
        columns.add(id.as(PromptColumns.ID));
        columns.add(col(quoted(promptColumn)).cast(DataTypes.StringType).as(PromptColumns.PROMPT));
        for (String name : PromptColumns.OVERRIDES) {
            columns.add((overrides.contains(name) ? col(quoted(name)).cast(DataTypes.StringType)
                    : lit(null).cast(DataTypes.StringType)).as(name));
        }
        boolean hasMalformed = Arrays.asList(source.columns()).contains(PromptColumns.MALFORMED);
        columns.add((hasMalformed ? col(PromptColumns.MALFORMED) : lit(null).cast(DataTypes.StringType))
                .as(PromptColumns.MALFORMED));
        return source.select(columns.toArray(new Column[0]));
    }

    private void validate(Dataset<Row> raw) {
        List<String> present = Arrays.asList(raw.columns());
        if (!present.contains(promptColumn)) {
            throw new AqlmException(input + " (" + format.name().toLowerCase() + ") has no column '" + promptColumn
                    + "'; its columns are " + present + ": choose the prompt's with --prompt-column");
        }
        DataType type = raw.schema().apply(promptColumn).dataType();
        if (type instanceof StructType || type instanceof ArrayType || type instanceof MapType) {
            throw new AqlmException("column '" + promptColumn + "' of " + input + " is " + type.simpleString()
                    + ", not text; --prompt-column must name a string column");
        }
        if (requestedIdColumn != null && !present.contains(requestedIdColumn)) {
            throw new AqlmException(input + " has no id column '" + requestedIdColumn + "'; its columns are " + present
                    + ": fix --id-column, or leave it out to number rows by file and position");
        }
    }

    private static String quoted(String column) {
        return "`" + column.replace("`", "``") + "`";
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
