package dev.aqlm.spark.generate;

import dev.aqlm.spark.progress.ProgressMeasures;
import java.io.Serializable;
import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

/**
 * Named accumulators that executors add to as rows finish. The driver reads them for progress only (live, from
 * executor heartbeats): a retried task counts twice here, so the job's totals come from the written output.
 */
public final class ProgressCounters implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final String PREFIX = "aqlm.generate.";

    final LongAccumulator rows;
    final LongAccumulator errors;
    final LongAccumulator promptTokens;
    final LongAccumulator completionTokens;

    public ProgressCounters(SparkContext context) {
        rows = context.longAccumulator(PREFIX + "rows");
        errors = context.longAccumulator(PREFIX + "errors");
        promptTokens = context.longAccumulator(PREFIX + "prompt_tokens");
        completionTokens = context.longAccumulator(PREFIX + "completion_tokens");
    }

    /** Rows (errors among them) and completion tokens, for the driver's progress lines. */
    public ProgressMeasures measures() {
        return new ProgressMeasures("rows", rows.id(), errors.id(), completionTokens.id());
    }

    void record(int promptTokenCount, int completionTokenCount, boolean failed) {
        rows.add(1);
        promptTokens.add(promptTokenCount);
        completionTokens.add(completionTokenCount);
        if (failed) {
            errors.add(1);
        }
    }
}
