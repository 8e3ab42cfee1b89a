package dev.aqlm.spark.sweep;

import dev.aqlm.spark.eval.EvalRequest;
import java.io.Serializable;

/**
 * A request in its planned partition, marked where a prefix group starts: an engine call may end only before such a
 * request, so a group is never split between calls. A plain class for Spark's Kryo.
 */
public final class PlannedRequest implements Serializable {
    private static final long serialVersionUID = 1L;

    private final EvalRequest request;
    private final boolean startsGroup;

    PlannedRequest(EvalRequest request, boolean startsGroup) {
        this.request = request;
        this.startsGroup = startsGroup;
    }

    EvalRequest request() {
        return request;
    }

    boolean startsGroup() {
        return startsGroup;
    }

    @Override
    public String toString() {
        return request + (startsGroup ? " (starts a group)" : "");
    }
}
