package dev.aqlm.runtime.engine;

import dev.aqlm.runtime.AqlmException;
import dev.aqlm.runtime.cpu.CpuBackend;
import dev.aqlm.runtime.model.ModelWeights;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Chooses and opens the backend that {@link EngineOptions} asks for. */
public final class Backends {
    private static final Logger LOG = LoggerFactory.getLogger(Backends.class);

    /** Context length of the CPU backend when the options leave it to the model. */
    public static final int CPU_DEFAULT_CONTEXT = 2048;

    private Backends() {
    }

    public static Backend open(ModelWeights weights, EngineOptions options) {
        switch (options.backend()) {
            case CPU:
                return cpu(weights, options);
            case CUDA:
                throw new AqlmException("the CUDA backend is not available in this build; use --backend cpu");
            default:
                LOG.info("backend auto: using the CPU backend");
                return cpu(weights, options);
        }
    }

    private static Backend cpu(ModelWeights weights, EngineOptions options) {
        // An fp32 cache of a long context is large on the heap; unless asked, the CPU serves at most CPU_DEFAULT_CONTEXT.
        int modelMaximum = weights.config().maxPositionEmbeddings();
        int context = options.contextLength() > 0 ? options.contextLength() : Math.min(modelMaximum, CPU_DEFAULT_CONTEXT);
        return new CpuBackend(weights, options.slots(), context, options.effectiveCpuThreads());
    }
}
