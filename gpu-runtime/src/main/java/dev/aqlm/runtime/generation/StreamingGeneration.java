package dev.aqlm.runtime.generation;

import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.engine.GenerationResult;
import dev.aqlm.runtime.engine.Scheduler;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Input rows streamed through the continuous-batching scheduler: its queue is topped up from the input iterator to
 * {@code queueDepth} waiting requests, and finished rows are handed out as the scheduler steps. At any time at most
 * queueDepth + slots rows are in memory, however many rows come in. Every input row gives exactly one output row.
 */
public final class StreamingGeneration implements Iterator<GeneratedRow> {
    /** Sees each output row as it is handed out (progress counters, fault drills). */
    public interface RowObserver {
        /** Before the {@code index}-th row (0-based) is handed out. */
        default void beforeRow(long index) {
        }

        default void handedOut(GeneratedRow row) {
        }
    }

    private final Iterator<PromptRow> input;
    private final Scheduler scheduler;
    private final RowRequests requests;
    private final String modelLabel;
    private final int queueDepth;
    private final RowObserver observer;
    private final Map<String, PreparedRow> running = new HashMap<>();
    private final ArrayDeque<GeneratedRow> ready = new ArrayDeque<>();
    private long emitted;

    /**
     * @param modelLabel what the output's model column says (the model as the user named it)
     * @param queueDepth requests waiting beside the active slots (at least the slot count)
     */
    public StreamingGeneration(LanguageModel model, Iterator<PromptRow> input, RowRequests requests, String modelLabel,
                               int queueDepth, RowObserver observer) {
        this.input = input;
        this.scheduler = model.newScheduler();
        this.requests = requests;
        this.modelLabel = modelLabel;
        this.queueDepth = Math.max(queueDepth, scheduler.slotCount());
        this.observer = observer;
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
    public GeneratedRow next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        observer.beforeRow(emitted);
        emitted++;
        GeneratedRow row = ready.poll();
        observer.handedOut(row);
        return row;
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

    private GeneratedRow finished(GenerationResult result) {
        PreparedRow row = running.remove(result.id());
        if (result.failed()) {
            return failure(row, result.error());
        }
        return new GeneratedRow(row.id(), row.prompt(), result.completion(), result.promptTokens().length,
                result.truncatedPromptTokens(), result.completionTokens().length, result.finishReason().label(),
                result.latencyNanos() / 1e6, null, modelLabel, row.settings(), result.speculation());
    }

    private GeneratedRow failure(PreparedRow row, String error) {
        return GeneratedRow.failure(row.id(), row.prompt(), row.promptTokens(), error, modelLabel, row.settings());
    }
}
