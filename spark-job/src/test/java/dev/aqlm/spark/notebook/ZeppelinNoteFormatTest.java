package dev.aqlm.spark.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aqlm.runtime.Fixtures;
import java.nio.file.Path;
import java.text.ParseException;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The note's JSON is what Zeppelin 0.12 itself writes to a .zpln file, so it imports cleanly: the fields its
 * GsonNoteParser serializes for a Note (never "path", which Zeppelin keeps out of note files) and for each Paragraph
 * with its Job fields, dates in Zeppelin's "yyyy-MM-dd HH:mm:ss.SSS", a Job status, and each paragraph's interpreter
 * one of the note's default group (spark) or markdown, with the editor mode Zeppelin gives that interpreter.
 */
class ZeppelinNoteFormatTest {
    private static final Path NOTE = Fixtures.root().getParent().resolve("notebooks").resolve("aqlm-quickstart.zpln");
    private static final List<String> NOTE_FIELDS = List.of("paragraphs", "name", "id", "defaultInterpreterGroup",
            "version", "noteParams", "noteForms", "angularObjects", "config", "info");
    private static final Set<String> PARAGRAPH_FIELDS = Set.of("title", "text", "user", "dateUpdated", "progress",
            "config", "settings", "results", "apps", "runtimeInfos", "progressUpdateIntervalMs", "jobName", "id",
            "dateCreated", "dateStarted", "dateFinished", "status", "errorMessage");
    private static final Set<String> REQUIRED_PARAGRAPH_FIELDS = Set.of("text", "user", "dateUpdated", "config",
            "settings", "apps", "jobName", "id", "dateCreated", "status");
    private static final Set<String> JOB_STATUSES = Set.of("UNKNOWN", "READY", "PENDING", "RUNNING", "FINISHED", "ERROR",
            "ABORT");
    /** Interpreter (the text's first word) to the editor mode Zeppelin sets for it. */
    private static final Map<String, String> EDITOR_MODES = Map.of("spark", "ace/mode/scala",
            "spark.conf", "ace/mode/text", "md", "ace/mode/markdown");

    @Test
    void noteHasTheFieldsZeppelin012Writes() {
        JsonNode note = Fixtures.json(NOTE);
        List<String> fields = new ArrayList<>();
        note.fieldNames().forEachRemaining(fields::add);
        assertEquals(NOTE_FIELDS, fields);
        assertEquals("0.12.0", note.get("version").asText());
        assertEquals("spark", note.get("defaultInterpreterGroup").asText());
        assertTrue(note.get("id").asText().matches("[0-9A-Z]{9}"), "a Zeppelin note id: " + note.get("id"));
    }

    @Test
    void paragraphsAreAsZeppelinWritesThem() throws ParseException {
        Set<String> ids = new HashSet<>();
        for (JsonNode paragraph : Fixtures.json(NOTE).get("paragraphs")) {
            String id = paragraph.path("id").asText();
            Set<String> fields = new HashSet<>();
            paragraph.fieldNames().forEachRemaining(fields::add);
            assertTrue(PARAGRAPH_FIELDS.containsAll(fields), id + ": fields Zeppelin does not write: " + fields);
            assertTrue(fields.containsAll(REQUIRED_PARAGRAPH_FIELDS), id + ": missing fields: " + fields);
            assertTrue(id.matches("paragraph_\\d+_-?\\d+") && ids.add(id), "a unique Zeppelin paragraph id: " + id);
            assertEquals(id, paragraph.get("jobName").asText());
            assertTrue(JOB_STATUSES.contains(paragraph.get("status").asText()), id);
            for (String date : List.of("dateCreated", "dateUpdated")) {
                new SimpleDateFormat("yyyy-MM-dd HH:mm:ss.SSS").parse(paragraph.get(date).asText());
            }
            assertTrue(paragraph.at("/settings/params").isObject() && paragraph.at("/settings/forms").isObject(), id);
            String interpreter = paragraph.get("text").asText().split("\\s", 2)[0].substring(1);
            assertEquals(EDITOR_MODES.get(interpreter), paragraph.at("/config/editorMode").asText(),
                    id + ": interpreter %" + interpreter + " and its editor mode");
        }
    }
}
