package dev.aqlm.runtime.bench;

import dev.aqlm.runtime.engine.Backend;
import dev.aqlm.runtime.engine.ChunkResult;
import dev.aqlm.runtime.engine.SequenceChunk;
import dev.aqlm.runtime.model.ModelConfig;
import java.util.List;

/** A backend seen through a stopwatch: the time spent in its forward passes, and how many it ran. Does not own it. */
final class TimedBackend implements Backend {
    private final Backend inner;
    private long nanos;
    private int passes;

    TimedBackend(Backend inner) {
        this.inner = inner;
    }

    double seconds() {
        return nanos / 1e9;
    }

    int passes() {
        return passes;
    }

    @Override
    public List<ChunkResult> forward(List<SequenceChunk> chunks) {
        long start = System.nanoTime();
        try {
            return inner.forward(chunks);
        } finally {
            nanos += System.nanoTime() - start;
            passes++;
        }
    }

    @Override
    public String description() {
        return inner.description();
    }

    @Override
    public ModelConfig config() {
        return inner.config();
    }

    @Override
    public int slotCount() {
        return inner.slotCount();
    }

    @Override
    public int contextLength() {
        return inner.contextLength();
    }

    @Override
    public boolean replaysDecodeGraphs() {
        return inner.replaysDecodeGraphs();
    }

    @Override
    public void close() {
        // the model that loaded the backend closes it
    }
}
