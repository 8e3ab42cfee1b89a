package dev.aqlm.spark.notebook;

import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import scala.Console$;
import scala.jdk.javaapi.CollectionConverters;
import scala.tools.nsc.Settings;
import scala.tools.nsc.interpreter.IMain;
import scala.tools.nsc.interpreter.Results;
import scala.tools.nsc.interpreter.shell.ReplReporterImpl;

/**
 * The Scala 2.13 REPL set up and driven as Zeppelin's Spark interpreter (SparkScala213Interpreter) drives it:
 * class-based line wrappers, the JVM's classpath, each paragraph interpreted whole with Console.out and System.out
 * pointing at the paragraph's output, an incomplete paragraph retried with a trailing {@code print("")} (a last line
 * that is a comment reads as incomplete), values bound as {@code @transient}.
 */
final class ZeppelinScalaInterpreter implements AutoCloseable {
    /** What a paragraph did: the REPL's verdict and everything it printed (compiler errors, stack traces, output). */
    record Outcome(boolean succeeded, String result, String output) {
    }

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PrintStream output = new PrintStream(printed, true, StandardCharsets.UTF_8);
    private final IMain repl;

    ZeppelinScalaInterpreter() {
        Settings settings = new Settings();
        settings.processArgumentString("-Yrepl-class-based");
        settings.usejavacp().value_$eq(Boolean.TRUE); // the test classpath: aqlm-spark, Spark, Scala
        settings.embeddedDefaults(ZeppelinScalaInterpreter.class.getClassLoader());
        repl = new IMain(settings, new ReplReporterImpl(settings,
                new PrintWriter(new OutputStreamWriter(output, StandardCharsets.UTF_8), true)));
        if (!repl.initializeCompiler()) {
            throw new IllegalStateException("the Scala compiler did not start:\n" + drain());
        }
    }

    void bind(String name, Object value) {
        Results.Result result = repl.bind(name, value.getClass().getName(), value,
                CollectionConverters.asScala(java.util.List.of("@transient")).toList());
        if (result != Results.Success$.MODULE$) {
            throw new IllegalStateException("cannot bind " + name + ": " + drain());
        }
        drain();
    }

    Outcome interpret(String code) {
        PrintStream originalOut = System.out;
        Results.Result result;
        try {
            System.setOut(output);
            result = Console$.MODULE$.withOut(output, () -> {
                Results.Result first = repl.interpret(code);
                return first == Results.Incomplete$.MODULE$ ? repl.interpret(code + "\nprint(\"\")") : first;
            });
        } finally {
            System.setOut(originalOut);
        }
        return new Outcome(result == Results.Success$.MODULE$, result.toString(), drain());
    }

    /** The value of a top-level name the paragraphs defined. */
    Object value(String name) {
        scala.Option<Object> value = repl.valueOfTerm(name);
        if (value.isEmpty()) {
            throw new IllegalStateException("the note defines no value '" + name + "'");
        }
        return value.get();
    }

    private String drain() {
        output.flush();
        String text = printed.toString(StandardCharsets.UTF_8);
        printed.reset();
        return text;
    }

    @Override
    public void close() {
        repl.close();
    }
}
