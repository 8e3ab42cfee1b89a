package dev.aqlm.runtime.notebook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aqlm.runtime.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every Java notebook in notebooks/ cell by cell in JShell (the engine the JJava kernel is built on), with the
 * kernel's magics (lines starting with %) left out: the classpath they set up is the test classpath here. A notebook
 * that no longer compiles or throws fails the build instead of its first reader.
 */
class JupyterNotebookTest {
    static List<Path> notebooks() throws IOException {
        try (Stream<Path> files = Files.list(Fixtures.root().getParent().resolve("notebooks"))) {
            return files.filter(f -> f.toString().endsWith(".ipynb")).sorted().toList();
        }
    }

    @ParameterizedTest
    @MethodSource("notebooks")
    void everyCodeCellRunsWithoutError(Path notebook) {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        PrintStream originalOut = System.out; // in-process snippets print to the JVM's own stdout
        System.setOut(out);
        try (JShell shell = JShell.builder().executionEngine("local").out(out).err(out).build()) {
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                shell.addToClasspath(entry);
            }
            int cellNumber = 0;
            for (String cell : codeCells(notebook)) {
                cellNumber++;
                for (String snippet : snippets(shell, cell)) {
                    for (SnippetEvent event : shell.eval(snippet)) {
                        String where = notebook.getFileName() + " cell " + cellNumber + ": " + snippet.strip();
                        assertThat(event.status()).as(where + "\n" + diagnostics(shell, event.snippet()))
                                .isNotEqualTo(Snippet.Status.REJECTED);
                        assertThat(event.exception()).as(where + "\noutput so far:\n" + printed).isNull();
                    }
                }
            }
        } finally {
            System.setOut(originalOut);
        }
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("tokens, finished by");
    }

    private static List<String> codeCells(Path notebook) {
        List<String> cells = new ArrayList<>();
        for (JsonNode cell : Fixtures.json(notebook).get("cells")) {
            if (!cell.get("cell_type").asText().equals("code")) {
                continue;
            }
            StringBuilder source = new StringBuilder();
            cell.get("source").forEach(line -> {
                if (!line.asText().startsWith("%")) { // kernel magics (%jars, %maven) are not Java
                    source.append(line.asText());
                }
            });
            cells.add(source.toString());
        }
        return cells;
    }

    private static List<String> snippets(JShell shell, String source) {
        List<String> snippets = new ArrayList<>();
        String remaining = source;
        while (!remaining.isBlank()) {
            SourceCodeAnalysis.CompletionInfo info = shell.sourceCodeAnalysis().analyzeCompletion(remaining);
            snippets.add(info.source() != null ? info.source() : remaining);
            remaining = info.source() != null ? info.remaining() : "";
        }
        return snippets;
    }

    private static String diagnostics(JShell shell, Snippet snippet) {
        StringBuilder text = new StringBuilder();
        shell.diagnostics(snippet).forEach(d -> text.append(d.getMessage(java.util.Locale.ROOT)).append('\n'));
        return text.toString();
    }
}
