package dev.aqlm.spark.generate;

import dev.aqlm.runtime.generation.GeneratedRow;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Row, error and token counts of a job's written output: the numbers a summary reports (not the accumulators).
 *
 * @param truncatedRows rows whose prompt was cut to fit the context window (--truncate-prompts)
 * @param commonErrors  the most frequent error messages and their counts, most frequent first
 * @param draftedTokens  speculation's draft tokens verified (rows written before those columns existed count 0)
 * @param acceptedTokens of which accepted
 * @param forwardPasses  the model's passes that produced tokens
 */
public record OutputTotals(long rows, long errors, long truncatedRows, long promptTokens, long completionTokens,
                           Map<String, Long> commonErrors, long draftedTokens, long acceptedTokens,
                           long forwardPasses) {
    public static final OutputTotals NONE = new OutputTotals(0, 0, 0, 0, 0, Map.of(), 0, 0, 0);
    private static final int COMMON_ERRORS = 3;
    /** Error messages are grouped by their start: the tail often names the row (a token count, a value). */
    public static final int ERROR_PREFIX = 60;

    /** Reads the output folder (an empty or missing one counts as no rows). */
    public static OutputTotals read(SparkSession spark, String output, OutputFormat format) {
        Row totals = rows(spark, output, format).agg(count(lit(1)), count(col(GeneratedRow.ERROR)),
                count(when(col(GeneratedRow.TRUNCATED_PROMPT_TOKENS).gt(0), lit(1))),
                coalesce(sum(GeneratedRow.PROMPT_TOKENS), lit(0L)),
                coalesce(sum(GeneratedRow.COMPLETION_TOKENS), lit(0L)),
                coalesce(sum(GeneratedRow.DRAFTED_TOKENS), lit(0L)),
                coalesce(sum(GeneratedRow.ACCEPTED_TOKENS), lit(0L)),
                coalesce(sum(GeneratedRow.FORWARD_PASSES), lit(0L))).first();
        Map<String, Long> common = new LinkedHashMap<>();
        if (totals.getLong(1) > 0) {
            for (Row row : rows(spark, output, format).where(col(GeneratedRow.ERROR).isNotNull())
                    .groupBy(substring(col(GeneratedRow.ERROR), 1, ERROR_PREFIX).as("error")).count()
                    .orderBy(col("count").desc(), col("error")).limit(COMMON_ERRORS).collectAsList()) {
                common.put(row.getString(0), row.getLong(1));
            }
        }
        return new OutputTotals(totals.getLong(0), totals.getLong(1), totals.getLong(2), totals.getLong(3),
                totals.getLong(4), common, totals.getLong(5), totals.getLong(6), totals.getLong(7));
    }

    /** The output's rows with the output schema (given explicitly, so a folder without data files reads as empty). */
    public static Dataset<Row> rows(SparkSession spark, String output, OutputFormat format) {
        return spark.read().schema(GeneratedRows.SCHEMA).format(format.sparkSource()).load(output);
    }

    public OutputTotals minus(OutputTotals earlier) {
        return new OutputTotals(rows - earlier.rows, errors - earlier.errors, truncatedRows - earlier.truncatedRows,
                promptTokens - earlier.promptTokens,
                completionTokens - earlier.completionTokens, commonErrors, draftedTokens - earlier.draftedTokens,
                acceptedTokens - earlier.acceptedTokens, forwardPasses - earlier.forwardPasses);
    }
}
