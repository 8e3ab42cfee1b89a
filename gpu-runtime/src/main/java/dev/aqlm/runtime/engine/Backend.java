package dev.aqlm.runtime.engine;

import dev.aqlm.runtime.model.ModelConfig;
import java.util.List;

/**
 * Where the model runs: the CPU reference, or a CUDA device. A backend owns the resident weights and a static KV cache
 * of {@link #slotCount()} slots of {@link #contextLength()} positions; the scheduler decides what goes in which slot.
 * One call runs one batched forward pass over chunks of different sequences (prefill and decode mixed), and each
 * sequence's result must not depend on what else is in the batch.
 */
public interface Backend extends AutoCloseable {

    /** For logs and bench tables, e.g. "cpu (16 threads)" or "cuda:0 NVIDIA H100 80GB HBM3". */
    String description();

    ModelConfig config();

    int slotCount();

    int contextLength();

    /** Whether decode (and verification) steps replay captured CUDA graphs (for bench tables; the CPU has none). */
    default boolean replaysDecodeGraphs() {
        return false;
    }

    /** Runs the chunks (distinct slots) in one batch; results come back in the chunks' order. */
    List<ChunkResult> forward(List<SequenceChunk> chunks);

    @Override
    void close();
}
