package dev.aqlm.runtime.errors;

/**
 * The one unchecked exception family of aqlm-spark. Subclasses say where the fault lies (a checkpoint, a request, the
 * GPU); every message names the file, tensor, row or option at fault and what to do about it.
 */
public class AqlmException extends RuntimeException {
    public AqlmException(String message) {
        super(message);
    }

    public AqlmException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * True when the failure left process-wide state unusable, so a long-lived host must end its process instead of
     * retrying in it: a sticky CUDA error poisons the JVM's context for every later call. The CUDA backend's exceptions
     * override this for such errors; a Spark executor then halts (dev.aqlm.spark.executor.PoisonedProcessGuard) and
     * the cluster manager replaces it, instead of every retry landing on the same broken JVM.
     */
    public boolean poisonsProcess() {
        return false;
    }
}
