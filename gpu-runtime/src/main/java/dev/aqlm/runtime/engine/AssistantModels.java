package dev.aqlm.runtime.engine;

/**
 * Where a {@link Scheduler} finds the backend of an assistant model named by a request's {@link Speculation.Assistant}.
 * The provider loads each assistant once, with as many KV slots and as long a context as the main model, and checks
 * that it shares the main model's tokenizer.
 */
@FunctionalInterface
public interface AssistantModels {
    Backend backendFor(String model);
}
