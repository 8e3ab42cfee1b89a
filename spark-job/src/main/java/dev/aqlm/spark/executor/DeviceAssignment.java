package dev.aqlm.spark.executor;

import java.util.List;

/**
 * The GPU(s) a task runs its model on.
 *
 * @param addresses the task's Spark "gpu" resource addresses; empty when Spark assigned none
 * @param ordinals  the CUDA device ordinals (PCI bus order) they map to, or the configured ordinal in local mode
 * @param source    how the ordinals were chosen, for the executor's log
 */
public record DeviceAssignment(List<String> addresses, List<Integer> ordinals, String source) {
    public DeviceAssignment {
        addresses = List.copyOf(addresses);
        ordinals = List.copyOf(ordinals);
    }

    /** The ordinal of the first (or only) shard. */
    public int primaryOrdinal() {
        return ordinals.get(0);
    }

    public boolean fromSpark() {
        return !addresses.isEmpty();
    }

    public String describe() {
        return fromSpark() ? "Spark GPU address(es) " + addresses + " -> CUDA ordinal(s) " + ordinals + " (" + source + ")"
                : "no GPU assigned by Spark -> configured CUDA ordinal(s) " + ordinals + " (" + source + ")";
    }
}
