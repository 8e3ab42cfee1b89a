package dev.aqlm.spark.progress;

/**
 * The accumulators a job's tasks add to as they finish items, and what the items are called in progress lines.
 *
 * @param items    the items' name, plural ("rows", "requests")
 * @param itemsId  accumulator id of items finished
 * @param errorsId accumulator id of items that failed, or -1 when the job has no per-item errors
 * @param tokensId accumulator id of tokens processed (what tok/s counts)
 */
public record ProgressMeasures(String items, long itemsId, long errorsId, long tokensId) {
    public boolean countsErrors() {
        return errorsId >= 0;
    }
}
