package dev.aqlm.spark.executor;

import java.util.Collections;
import java.util.Iterator;
import java.util.function.BiFunction;
import org.apache.spark.TaskContext;
import dev.aqlm.runtime.LanguageModel;

/**
 * Runs a partition's rows through the executor's model, for any job (generation, scoring): resolves the task's GPU,
 * takes the model lease for the life of the task (returned when the task completes, fails or is killed), and guards
 * the partition's iterator so that an error that poisons the process halts the executor. The body returns a lazy
 * iterator; nothing here holds a partition in memory.
 */
public final class ModelTasks {
    private ModelTasks() {
    }

    public static <I, O> Iterator<O> mapWithModel(ModelDescriptor descriptor, Iterator<I> input,
                                                   BiFunction<LanguageModel, Iterator<I>, Iterator<O>> body) {
        if (!input.hasNext()) {
            return Collections.emptyIterator(); // an empty partition never loads the model
        }
        DeviceAssignment device = TaskDevices.forCurrentTask(descriptor.configuredDevices());
        ModelLease lease = ExecutorModel.acquire(descriptor, device);
        TaskContext task = TaskContext.get();
        if (task != null) {
            task.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) context -> lease.close());
        }
        try {
            Iterator<O> output = body.apply(lease.model(), input);
            return new GuardedIterator<>(output, task == null ? lease : null);
        } catch (Throwable t) {
            lease.close();
            PoisonedProcessGuard.haltIfPoisoned(t);
            throw t;
        }
    }

    /** Halts on poisoning errors; outside a task (tests) returns the lease when exhausted. */
    private static final class GuardedIterator<O> implements Iterator<O> {
        private final Iterator<O> delegate;
        private final ModelLease leaseToCloseAtEnd;

        GuardedIterator(Iterator<O> delegate, ModelLease leaseToCloseAtEnd) {
            this.delegate = delegate;
            this.leaseToCloseAtEnd = leaseToCloseAtEnd;
        }

        @Override
        public boolean hasNext() {
            try {
                boolean more = delegate.hasNext();
                if (!more && leaseToCloseAtEnd != null) {
                    leaseToCloseAtEnd.close();
                }
                return more;
            } catch (Throwable t) {
                PoisonedProcessGuard.haltIfPoisoned(t);
                throw t;
            }
        }

        @Override
        public O next() {
            try {
                return delegate.next();
            } catch (Throwable t) {
                PoisonedProcessGuard.haltIfPoisoned(t);
                throw t;
            }
        }
    }
}
