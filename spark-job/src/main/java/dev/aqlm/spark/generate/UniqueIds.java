package dev.aqlm.spark.generate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.aqlm.runtime.errors.AqlmException;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Checks canonical prompt rows before any generation: seeds and resume go by id, so a null or repeated id would make
 * rows that cannot be told apart or reproduced. One pass over the rows, which also counts them.
 */
final class UniqueIds {
    private UniqueIds() {
    }

    /**
     * The number of rows; fails when ids are null or repeated.
     *
     * @param idColumn  the column the ids came from, for the message (null when they were generated)
     * @param requested whether the user named that column (else it was the records' own "id" column)
     */
    static long check(Dataset<Row> canonical, String idColumn, boolean requested, PromptSource source) {
        Dataset<Row> perId = canonical.groupBy(PromptColumns.ID).agg(count(lit(1)).as("n"));
        Row check = perId.agg(sum("n"), sum(when(col("n").gt(1), 1).otherwise(0)),
                sum(when(col(PromptColumns.ID).isNull(), col("n")).otherwise(0))).first();
        long rows = check.isNullAt(0) ? 0 : check.getLong(0);
        long duplicated = check.isNullAt(1) ? 0 : check.getLong(1);
        long nulls = check.isNullAt(2) ? 0 : check.getLong(2);
        if (nulls > 0) {
            throw new AqlmException(nulls + " row(s) of " + source.description() + " have a null id in column '"
                    + idColumn + "'; every row needs an id" + (requested
                    ? " (or leave " + source.idColumnSetting() + " out to " + source.numbering() + ")"
                    : ": the records have an '" + idColumn + "' column, so ids come from it; fill it in every row,"
                    + " or name another unique column with " + source.idColumnSetting()));
        }
        if (duplicated > 0) {
            List<String> examples = perId.where(col("n").gt(1)).limit(5).collectAsList().stream()
                    .map(row -> "'" + row.getString(0) + "' x" + row.getLong(1)).toList();
            throw new AqlmException(duplicated + " id(s) of column '" + idColumn + "' in " + source.description()
                    + " occur more than once (e.g. " + String.join(", ", examples) + "); ids must be unique, since"
                    + " seeds and resume go by id");
        }
        return rows;
    }
}
