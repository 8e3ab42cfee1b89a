package dev.aqlm.spark.generate;

import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.engine.GenerationResult;
import dev.aqlm.runtime.engine.Scheduler;
import dev.aqlm.spark.executor.FaultInjection;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.sql.Row;

/**
 * A partition's rows streamed through the continuous-batching scheduler: the scheduler's queue is topped up from the
 * input iterator to {@code queueDepth} waiting requests, and finished rows are handed out as the scheduler steps. At
 * any time at most queueDepth + slots rows are in memory, however large the partition.
 */
final class StreamingGeneration implements Iterator<Row> {
    private final Iterator<Row> input;
    private final Scheduler scheduler;
    private final RowRequests requests;
    private final String modelLabel;
    private final int queueDepth;
    private final ProgressCounters counters;
    private final FaultInjection fault;
    private final Map<String, PreparedRow> running = new HashMap<>();
    private final ArrayDeque<Row> ready = new ArrayDeque<>();
    private long emitted;

    StreamingGeneration(LanguageModel model, Iterator<Row> input, GenerationDefaults defaults, int queueDepth,
                        ProgressCounters counters, FaultInjection fault) {
        this.input = input;
        this.scheduler = model.newScheduler();
        this.requests = new RowRequests(model, defaults);
        this.modelLabel = defaults.modelLabel();
        this.queueDepth = Math.max(queueDepth, scheduler.slotCount());
        this.counters = counters;
        this.fault = fault;
    }

    @Override
    public boolean hasNext() {
        while (ready.isEmpty() && (input.hasNext() || scheduler.hasWork())) {
            topUp();
            if (scheduler.hasWork()) {
                for (GenerationResult result : scheduler.step()) {
                    ready.add(finished(result));
                }
            }
        }
        return !ready.isEmpty();
    }

    @Override
    public Row next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        if (fault != null) {
            fault.beforeRow(emitted);
        }
        emitted++;
        return ready.poll();
    }

    private void topUp() {
        while (scheduler.queued() < queueDepth && input.hasNext()) {
            PreparedRow row = requests.prepare(input.next());
            if (row.failed()) {
                ready.add(failure(row, row.error()));
                continue;
            }
            if (running.putIfAbsent(row.id(), row) != null) {
                ready.add(failure(row, "duplicate id '" + row.id() + "' in the input; ids must be unique"));
                continue;
            }
            scheduler.submit(row.request());
        }
    }

    private Row finished(GenerationResult result) {
        PreparedRow row = running.remove(result.id());
        if (result.failed()) {
            return failure(row, result.error());
        }
        counters.record(result.promptTokens().length, result.completionTokens().length, false);
        return GeneratedRows.success(row.id(), row.prompt(), result.completion(), result.promptTokens().length,
                result.truncatedPromptTokens(), result.completionTokens().length, result.finishReason().label(), result.latencyNanos() / 1e6,
                modelLabel, row.settings(), result.speculation());
    }

    private Row failure(PreparedRow row, String error) {
        counters.record(row.promptTokens() == null ? 0 : row.promptTokens(), 0, true);
        return GeneratedRows.failure(row.id(), row.prompt(), row.promptTokens(), error, modelLabel, row.settings());
    }
}
