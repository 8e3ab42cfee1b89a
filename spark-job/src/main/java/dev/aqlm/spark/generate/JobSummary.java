package dev.aqlm.spark.generate;

import java.io.PrintStream;
import java.util.Map;

/**
 * What a generation job did, from its written output (exact, whatever was retried) plus timings and the driver's
 * per-executor rates (approximate: they come from progress accumulators).
 *
 * @param thisRun       rows and tokens this run added to the output
 * @param all           the whole output, earlier runs included
 * @param skippedRows   input rows already in the output when the run started (resume)
 * @param seconds       wall time of the generation waves
 * @param failedTasks   task attempts that failed and were retried (an executor loss counts its running task)
 */
public record JobSummary(String output, OutputFormat format, long inputRows, long skippedRows, OutputTotals thisRun,
                         OutputTotals all, double seconds, Map<String, Double> tokensPerSecondByExecutor,
                         int failedTasks, int waves) {

    /** True when this run generated rows and every one of them is an error row: the job did nothing useful. */
    public boolean everyRowFailed() {
        return thisRun.rows() > 0 && thisRun.errors() == thisRun.rows();
    }

    public double completionTokensPerSecond() {
        return thisRun.completionTokens() / Math.max(1e-9, seconds);
    }

    public double rowsPerSecond() {
        return thisRun.rows() / Math.max(1e-9, seconds);
    }

    public void print(PrintStream out) {
        out.printf("rows:        %d generated this run (%d with an error), %d skipped as already done, %d input rows%n",
                thisRun.rows(), thisRun.errors(), skippedRows, inputRows);
        if (thisRun.truncatedRows() > 0) {
            out.printf("truncated:   %d prompt(s) cut to fit the context window (truncated_prompt_tokens > 0)%n",
                    thisRun.truncatedRows());
        }
        out.printf("tokens:      %d prompt, %d completion%n", thisRun.promptTokens(), thisRun.completionTokens());
        if (thisRun.draftedTokens() > 0) {
            out.printf("speculation: %d draft tokens verified, %d accepted (%.0f%%), %.2f completion tokens per"
                    + " forward pass%n", thisRun.draftedTokens(), thisRun.acceptedTokens(),
                    100.0 * thisRun.acceptedTokens() / thisRun.draftedTokens(),
                    (double) thisRun.completionTokens() / Math.max(1, thisRun.forwardPasses()));
        }
        out.printf("throughput:  %.1f completion tokens/s, %.2f rows/s over %.1f s (%d commit wave%s)%n",
                completionTokensPerSecond(), rowsPerSecond(), seconds, waves, waves == 1 ? "" : "s");
        if (!tokensPerSecondByExecutor.isEmpty()) {
            StringBuilder rates = new StringBuilder();
            tokensPerSecondByExecutor.forEach((executor, rate) ->
                    rates.append(String.format("%s %.1f, ", executor, rate)));
            rates.setLength(rates.length() - 2);
            out.println("per executor (tok/s): " + rates);
        }
        if (failedTasks > 0) {
            out.printf("retries:     %d task attempt(s) failed and were retried; the output still has one row per id%n",
                    failedTasks);
        }
        out.printf("output:      %s (%s, %d rows, %d with an error)%n", output, format.name().toLowerCase(),
                all.rows(), all.errors());
        all.commonErrors().forEach((error, count) -> out.printf("  %6d x %s%s%n", count, error,
                error.length() >= OutputTotals.ERROR_PREFIX ? "..." : ""));
    }
}
