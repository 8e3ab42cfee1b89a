package dev.aqlm.spark.executor;

import dev.aqlm.runtime.errors.AqlmException;
import java.io.Serializable;
import org.apache.spark.TaskContext;

/**
 * A deliberate failure for fault-tolerance tests and drills: on the first attempt of one partition, after some rows,
 * the task fails the way a sticky CUDA error does (an exception that poisons the process), so the executor halts and
 * Spark must retry the partition on a new executor. Given as {@code poison-context:partition=P:after=N}.
 */
public final class FaultInjection implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int partition;
    private final long afterRows;

    private FaultInjection(int partition, long afterRows) {
        this.partition = partition;
        this.afterRows = afterRows;
    }

    /** Null for no fault; otherwise the parsed spec. */
    public static FaultInjection parse(String spec) {
        if (spec == null || spec.isBlank()) {
            return null;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("poison-context:partition=(\\d+):after=(\\d+)")
                .matcher(spec.strip());
        if (!m.matches()) {
            throw new AqlmException("fault injection '" + spec + "' is not of the form poison-context:partition=P:after=N");
        }
        return new FaultInjection(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)));
    }

    /**
     * Called before each row a task emits; throws on the chosen partition's first attempt (of the stage's first
     * attempt: a resubmitted stage numbers its task attempts from 0 again, and must not fail again).
     */
    public void beforeRow(long rowsEmitted) {
        TaskContext task = TaskContext.get();
        if (task != null && task.partitionId() == partition && task.stageAttemptNumber() == 0
                && task.attemptNumber() == 0 && rowsEmitted == afterRows) {
            throw new SimulatedPoisoning("injected fault: partition " + partition + " attempt 0 after " + afterRows
                    + " rows behaves as if a sticky CUDA error poisoned the context");
        }
    }

    /** The injected failure: process-poisoning, like the CUDA backend's sticky errors. */
    static final class SimulatedPoisoning extends AqlmException {
        SimulatedPoisoning(String message) {
            super(message);
        }

        @Override
        public boolean poisonsProcess() {
            return true;
        }
    }
}
