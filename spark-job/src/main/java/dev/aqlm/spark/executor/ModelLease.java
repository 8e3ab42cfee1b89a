package dev.aqlm.spark.executor;

import dev.aqlm.runtime.LanguageModel;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Exclusive use of the executor's model by one task: its KV slots serve one scheduler at a time. Closing returns the
 * model to the executor (the model stays loaded for the next task).
 */
public final class ModelLease implements AutoCloseable {
    private final LanguageModel model;
    private final DeviceAssignment device;
    private final Runnable release;
    private final AtomicBoolean released = new AtomicBoolean();

    ModelLease(LanguageModel model, DeviceAssignment device, Runnable release) {
        this.model = model;
        this.device = device;
        this.release = release;
    }

    public LanguageModel model() {
        return model;
    }

    public DeviceAssignment device() {
        return device;
    }

    @Override
    public void close() {
        if (released.compareAndSet(false, true)) {
            release.run();
        }
    }
}
