package dev.aqlm.spark.generate;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Row, error and token counts of a job's written output: the numbers a summary reports (not the accumulators). */
public record OutputTotals(long rows, long errors, long promptTokens, long completionTokens) {
    public static final OutputTotals NONE = new OutputTotals(0, 0, 0, 0);

    /** Reads the output folder (an empty or missing one counts as no rows). */
    public static OutputTotals read(SparkSession spark, String output, OutputFormat format) {
        Row totals = rows(spark, output, format).agg(count(lit(1)), count(col(GeneratedRows.ERROR)),
                coalesce(sum(GeneratedRows.PROMPT_TOKENS), lit(0L)),
                coalesce(sum(GeneratedRows.COMPLETION_TOKENS), lit(0L))).first();
        return new OutputTotals(totals.getLong(0), totals.getLong(1), totals.getLong(2), totals.getLong(3));
    }

    /** The output's rows with the output schema (given explicitly, so a folder without data files reads as empty). */
    public static Dataset<Row> rows(SparkSession spark, String output, OutputFormat format) {
        return spark.read().schema(GeneratedRows.SCHEMA).format(format.sparkSource()).load(output);
    }

    public OutputTotals minus(OutputTotals earlier) {
        return new OutputTotals(rows - earlier.rows, errors - earlier.errors, promptTokens - earlier.promptTokens,
                completionTokens - earlier.completionTokens);
    }
}
