package dev.aqlm.spark.generate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.aqlm.runtime.errors.AqlmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructType;

/**
 * Turns prompt records, from a file or a user's DataFrame, into the canonical rows of {@link PromptColumns} that the
 * generation stage reads: the id and the prompt as text, the override columns the records have (as text: they are
 * parsed per row on the executor, so a bad value becomes that row's error), and the raw text of unparsable records.
 * One place decides which columns count, so the file job and the DataFrame API read the same records the same way.
 */
final class CanonicalPrompts {
    private final PromptSource source;
    private final String promptColumn;
    private final String requestedIdColumn;
    private final boolean rowOverrides;

    /** @param idColumn null to use the records' "id" column if they have one, else generated ids */
    CanonicalPrompts(PromptSource source, String promptColumn, String idColumn, boolean rowOverrides) {
        this.source = source;
        this.promptColumn = promptColumn;
        this.requestedIdColumn = idColumn;
        this.rowOverrides = rowOverrides;
    }

    PromptSource source() {
        return source;
    }

    /** The column ids come from, or null when the records have none and ids must be generated. */
    String idColumn(Dataset<Row> records) {
        if (requestedIdColumn != null) {
            return requestedIdColumn;
        }
        return Arrays.asList(records.columns()).contains(PromptColumns.ID) ? PromptColumns.ID : null;
    }

    /** Whether the user named the id column (else the records' own "id" column, if any, gives the ids). */
    boolean idColumnRequested() {
        return requestedIdColumn != null;
    }

    /** The override columns the records have (none when overrides are off). */
    List<String> overrideColumns(Dataset<Row> records) {
        List<String> present = Arrays.asList(records.columns());
        return rowOverrides ? PromptColumns.OVERRIDES.stream().filter(present::contains).toList() : List.of();
    }

    /** Fails, naming the column and the setting that chooses it, when the records cannot be read as prompts. */
    void validate(StructType records) {
        List<String> present = Arrays.asList(records.fieldNames());
        if (!present.contains(promptColumn)) {
            throw new AqlmException(source.description() + " has no column '" + promptColumn + "'; its columns are "
                    + present + ": choose the prompt's with " + source.promptColumnSetting());
        }
        DataType type = records.apply(promptColumn).dataType();
        if (type instanceof StructType || type instanceof ArrayType || type instanceof MapType) {
            throw new AqlmException("column '" + promptColumn + "' of " + source.description() + " is "
                    + type.simpleString() + ", not text; " + source.promptColumnSetting() + " must name a string column");
        }
        if (requestedIdColumn != null && !present.contains(requestedIdColumn)) {
            throw new AqlmException(source.description() + " has no id column '" + requestedIdColumn
                    + "'; its columns are " + present + ": fix " + source.idColumnSetting() + ", or leave it out to "
                    + source.numbering());
        }
    }

    /**
     * The canonical rows: every column of {@link PromptColumns#ALL}, as strings.
     *
     * @param idColumn        the column holding the ids (the records' own, or one with generated ids)
     * @param malformedColumn the reader's column of unparsable records, or null
     */
    Dataset<Row> select(Dataset<Row> records, String idColumn, String malformedColumn) {
        List<String> overrides = overrideColumns(records);
        List<Column> columns = new ArrayList<>();
        columns.add(col(quoted(idColumn)).cast(DataTypes.StringType).as(PromptColumns.ID));
        columns.add(col(quoted(promptColumn)).cast(DataTypes.StringType).as(PromptColumns.PROMPT));
        for (String name : PromptColumns.OVERRIDES) {
            columns.add((overrides.contains(name) ? col(quoted(name)).cast(DataTypes.StringType)
                    : lit(null).cast(DataTypes.StringType)).as(name));
        }
        columns.add((malformedColumn != null ? col(quoted(malformedColumn)) : lit(null).cast(DataTypes.StringType))
                .as(PromptColumns.MALFORMED));
        return records.select(columns.toArray(new Column[0]));
    }

    static String quoted(String column) {
        return "`" + column.replace("`", "``") + "`";
    }
}
