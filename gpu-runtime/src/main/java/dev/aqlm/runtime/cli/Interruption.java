package dev.aqlm.runtime.cli;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * Ctrl-C (SIGINT) and termination as one line instead of the stack traces of every thread the shutdown cuts short:
 * the line is printed first, then {@code quiet} silences the libraries' logging (Spark logs each aborted job with a
 * trace), then the JVM exits 130 through its shutdown hooks, so Spark still stops cleanly. Rows a job committed
 * before are kept either way; the in-flight commit wave is discarded by Spark's commit protocol.
 */
final class Interruption {
    private static final AtomicBoolean STOPPING = new AtomicBoolean();
    private static final AtomicBoolean INSTALLED = new AtomicBoolean();

    private Interruption() {
    }

    /** Handles Ctrl-C from now on (once per JVM); {@code command} names what is stopped in the message. */
    static void install(String command, Runnable quiet, PrintStream err) {
        if (!INSTALLED.compareAndSet(false, true)) {
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> STOPPING.set(true), "aqlm-stopping"));
        try {
            Signal.handle(new Signal("INT"), signal -> {
                if (STOPPING.compareAndSet(false, true)) {
                    err.println("interrupted: " + command + " stopped at Ctrl-C; what it had already committed is"
                            + " kept (bulk-generate: rerun with --resume to continue)");
                    quiet.run();
                    new Thread(() -> System.exit(RuntimeCli.EXIT_INTERRUPTED), "aqlm-exit").start();
                }
            });
        } catch (IllegalArgumentException e) {
            // no SIGINT on this platform, or the JVM runs with -Xrs: the default handling stays
        }
    }

    /** Whether the JVM is stopping (Ctrl-C or a termination signal): failures then are its consequence. */
    static boolean stopping() {
        return STOPPING.get();
    }
}
