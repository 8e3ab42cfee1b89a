package dev.aqlm.spark.executor;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.cuda.CudaException;
import dev.aqlm.runtime.errors.AqlmException;
import jcuda.driver.CUresult;
import org.junit.jupiter.api.Test;

class PoisonedProcessGuardTest {
    /** What the CUDA backend's sticky errors look like to the guard. */
    private static final class StickyError extends AqlmException {
        StickyError() {
            super("cudaErrorIllegalAddress");
        }

        @Override
        public boolean poisonsProcess() {
            return true;
        }
    }

    @Test
    void poisoningIsFoundAnywhereInTheCauseChain() {
        assertTrue(PoisonedProcessGuard.poisons(new StickyError()));
        assertTrue(PoisonedProcessGuard.poisons(new RuntimeException("task failed", new IllegalStateException(new StickyError()))));
    }

    @Test
    void stickyCudaErrorsEndTheExecutorAndOthersDoNot() {
        assertTrue(PoisonedProcessGuard.poisons(new CudaException("cuLaunchKernel(aqlm_linear)",
                CUresult.CUDA_ERROR_ILLEGAL_ADDRESS)));
        assertFalse(PoisonedProcessGuard.poisons(new CudaException("cuMemAlloc(4 GiB)", CUresult.CUDA_ERROR_OUT_OF_MEMORY)));
    }

    @Test
    void ordinaryErrorsDoNotEndTheExecutor() {
        assertFalse(PoisonedProcessGuard.poisons(new AqlmException("prompt too long")));
        assertFalse(PoisonedProcessGuard.poisons(new OutOfMemoryError()));
        RuntimeException cycle = new RuntimeException("a");
        RuntimeException other = new RuntimeException("b", cycle);
        cycle.initCause(other);
        assertFalse(PoisonedProcessGuard.poisons(cycle), "a cause cycle ends the walk");
    }

    @Test
    void injectedFaultsPoisonTheProcess() {
        FaultInjection fault = FaultInjection.parse("poison-context:partition=1:after=2");
        assertTrue(fault != null);
        assertTrue(PoisonedProcessGuard.poisons(new FaultInjection.SimulatedPoisoning("drill")));
    }
}
