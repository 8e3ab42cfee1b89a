package dev.aqlm.runtime.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aqlm.runtime.engine.GenerationOption;
import dev.aqlm.runtime.engine.GenerationOptions;
import dev.aqlm.runtime.errors.AqlmException;
import dev.aqlm.runtime.generation.PromptRow;
import dev.aqlm.runtime.io.IoFailures;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code generate --prompts}: a JSONL file (or {@code -} for stdin) of {@code {"id": ..., "prompt": ...}} lines. A
 * line that cannot be used becomes an error row instead of stopping the others. Its id is the line's own when that id
 * is valid and unused, else {@code line-N}, so no error row ever shares an id with another row.
 */
final class PromptFile {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STDIN = "-";

    /**
     * One line: a prompt to run, or (error != null) a row that failed before running.
     *
     * @param overrides the line's per-row setting fields (as bulk-generate reads its input's columns), as text
     */
    record Entry(String id, String prompt, Map<String, String> overrides, String error) {
        static Entry failed(String id, String error) {
            return new Entry(id, null, Map.of(), error);
        }

        PromptRow toPromptRow() {
            return new PromptRow(id, prompt, overrides, error);
        }
    }

    private PromptFile() {
    }

    /** Fails at once, before any model is loaded, when {@code --prompts} names nothing readable. */
    static void requireReadable(Path path) {
        if (path.toString().equals(STDIN)) {
            return;
        }
        if (Files.isDirectory(path)) {
            throw new AqlmException("--prompts " + path + " is a folder; give a JSONL file (one {\"prompt\": ...}"
                    + " per line), or - for stdin");
        }
        if (!Files.isRegularFile(path)) {
            throw new AqlmException("--prompts " + path + ": no such file");
        }
        if (!Files.isReadable(path)) {
            throw new AqlmException("--prompts " + path + " is not readable");
        }
    }

    static List<Entry> read(Path path) {
        List<String> lines;
        try {
            lines = path.toString().equals(STDIN)
                    ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).lines().toList()
                    : Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AqlmException("cannot read --prompts " + path + ": " + IoFailures.describe(e), e);
        } catch (java.io.UncheckedIOException e) {
            throw new AqlmException("cannot read --prompts " + path + ": " + IoFailures.describe(e.getCause()), e);
        }
        String name = path.toString().equals(STDIN) ? "stdin" : String.valueOf(path.getFileName());
        List<Entry> entries = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = i == 0 ? withoutByteOrderMark(lines.get(i)) : lines.get(i);
            if (!line.isBlank()) {
                entries.add(entry(line, "line-" + (i + 1), name + " line " + (i + 1), ids));
            }
        }
        return entries;
    }

    private static Entry entry(String line, String lineId, String where, Set<String> ids) {
        JsonNode row;
        try {
            row = JSON.readTree(line);
        } catch (IOException e) {
            return Entry.failed(unused(lineId, ids), where + ": not a JSON object (" + firstLine(e) + ")");
        }
        if (!row.isObject()) {
            return Entry.failed(unused(lineId, ids), where + ": not a JSON object");
        }
        JsonNode idNode = row.get("id");
        boolean hasId = idNode != null && !idNode.isNull();
        if (hasId && !idNode.isValueNode()) {
            return Entry.failed(unused(lineId, ids), where + ": \"id\" must be a string or number, not " + idNode);
        }
        if (hasId && ids.contains(idNode.asText())) {
            return Entry.failed(unused(lineId, ids), where + ": duplicate id '" + idNode.asText() + "'");
        }
        String id = unused(hasId ? idNode.asText() : lineId, ids);
        if (!row.path("prompt").isTextual()) {
            return Entry.failed(id, where + ": no \"prompt\" string");
        }
        Map<String, String> overrides = new HashMap<>();
        for (GenerationOption<?> option : GenerationOptions.with(GenerationOption.Use.ROW_OVERRIDE)) {
            JsonNode value = row.get(option.name());
            if (value != null && !value.isNull()) {
                overrides.put(option.name(), value.asText());
            }
        }
        return new Entry(id, row.get("prompt").asText(), overrides, null);
    }

    /** Claims {@code id}; a generated line-N that a line's own id already took gets a suffix. */
    private static String unused(String id, Set<String> ids) {
        String candidate = id;
        for (int n = 2; !ids.add(candidate); n++) {
            candidate = id + "#" + n;
        }
        return candidate;
    }

    /** Editors on Windows start UTF-8 files with U+FEFF, which is no part of the first line's JSON. */
    private static String withoutByteOrderMark(String line) {
        return line.startsWith("\uFEFF") ? line.substring(1) : line;
    }

    private static String firstLine(IOException e) {
        String message = String.valueOf(e.getMessage());
        return message.lines().findFirst().orElse(message);
    }
}
