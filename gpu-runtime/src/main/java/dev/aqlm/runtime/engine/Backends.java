package dev.aqlm.runtime.engine;

import dev.aqlm.runtime.AqlmException;
import dev.aqlm.runtime.cpu.CpuBackend;
import dev.aqlm.runtime.model.ModelWeights;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Chooses and opens the backend that {@link EngineOptions} asks for. */
public final class Backends {
    private static final Logger LOG = LoggerFactory.getLogger(Backends.class);

    private Backends() {
    }

    public static Backend open(ModelWeights weights, EngineOptions options) {
        int context = options.effectiveContextLength(weights.config().maxPositionEmbeddings());
        switch (options.backend()) {
            case CPU:
                return new CpuBackend(weights, options.slots(), context, options.effectiveCpuThreads());
            case CUDA:
                throw new AqlmException("the CUDA backend is not available in this build; use --backend cpu");
            default:
                LOG.info("backend auto: using the CPU backend");
                return new CpuBackend(weights, options.slots(), context, options.effectiveCpuThreads());
        }
    }
}
