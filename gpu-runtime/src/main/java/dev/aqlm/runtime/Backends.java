package dev.aqlm.runtime;

import dev.aqlm.runtime.cpu.CpuBackend;
import dev.aqlm.runtime.cuda.CudaAvailability;
import dev.aqlm.runtime.cuda.CudaBackend;
import dev.aqlm.runtime.cuda.CudaUnavailableException;
import dev.aqlm.runtime.engine.Backend;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.model.ModelWeights;
import dev.aqlm.runtime.parallel.TensorParallelPlan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses and opens the backend that {@link EngineOptions} asks for (beside {@link LanguageModel}, its one user: the
 * engine package defines the Backend interface and must not depend on the backends that implement it). AUTO takes the CUDA backend when a driver, the
 * device and the kernels are usable, and otherwise the CPU backend, logging why.
 */
final class Backends {
    private static final Logger LOG = LoggerFactory.getLogger(Backends.class);

    /** Context length of the CPU backend when the options leave it to the model. */
    public static final int CPU_DEFAULT_CONTEXT = 2048;

    private Backends() {
    }

    static Backend open(ModelWeights weights, EngineOptions options) {
        TensorParallelPlan plan = TensorParallelPlan.of(weights.config(), options.tensorParallel());
        switch (options.backend()) {
            case CPU:
                return cpu(weights, plan, options);
            case CUDA:
                return cuda(weights, options);
            default:
                CudaAvailability cuda = CudaAvailability.check(options.deviceOrdinal());
                if (!cuda.usable()) {
                    LOG.info("backend auto: using the CPU backend ({})", cuda.reason());
                    return cpu(weights, plan, options);
                }
                try {
                    Backend backend = cuda(weights, options);
                    LOG.info("backend auto: using {}", backend.description());
                    return backend;
                } catch (CudaUnavailableException e) {
                    LOG.info("backend auto: using the CPU backend ({})", e.getMessage());
                    return cpu(weights, plan, options);
                }
        }
    }

    private static Backend cuda(ModelWeights weights, EngineOptions options) {
        return CudaBackend.open(weights, options);
    }

    private static Backend cpu(ModelWeights weights, TensorParallelPlan plan, EngineOptions options) {
        // An fp32 cache of a long context is large on the heap; unless asked, the CPU serves at most CPU_DEFAULT_CONTEXT.
        int modelMaximum = weights.config().maxPositionEmbeddings();
        int context = options.contextLength() > 0 ? options.contextLength() : Math.min(modelMaximum, CPU_DEFAULT_CONTEXT);
        return new CpuBackend(weights, plan, options.slots(), context, options.effectiveCpuThreads(),
                options.kvCache());
    }
}
