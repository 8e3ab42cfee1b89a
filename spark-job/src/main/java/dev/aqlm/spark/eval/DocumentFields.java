package dev.aqlm.spark.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed access to one dataset row, for task definitions: every accessor fails with a message that names the task,
 * the document (its index in the split) and the field, instead of a bare NullPointerException.
 */
public final class DocumentFields {
    private final String task;
    private final int docId;
    private final JsonNode row;

    public DocumentFields(String task, int docId, JsonNode row) {
        this.task = task;
        this.docId = docId;
        this.row = row;
    }

    public JsonNode row() {
        return row;
    }

    /** A string field; numbers and booleans are accepted in their JSON spelling (datasets differ). */
    public String text(String field) {
        JsonNode value = field(field);
        if (!value.isValueNode() || value.isNull()) {
            throw problem(field, "should be a string, found " + value.getNodeType());
        }
        return value.asText();
    }

    /** An integer field, given as a number or as a string of digits. */
    public int integer(String field) {
        JsonNode value = field(field);
        if (value.isIntegralNumber()) {
            return value.asInt();
        }
        if (value.isTextual() && value.asText().trim().matches("-?\\d+")) {
            return Integer.parseInt(value.asText().trim());
        }
        throw problem(field, "should be an integer, found " + describe(value));
    }

    /** A list of strings at a path such as {@code choices.text}. */
    public List<String> texts(String path) {
        JsonNode value = field(path);
        if (!value.isArray()) {
            throw problem(path, "should be a list of strings, found " + value.getNodeType());
        }
        List<String> texts = new ArrayList<>();
        for (JsonNode element : value) {
            if (!element.isValueNode() || element.isNull()) {
                throw problem(path, "should hold only strings, found " + element.getNodeType());
            }
            texts.add(element.asText());
        }
        if (texts.isEmpty()) {
            throw problem(path, "is an empty list");
        }
        return texts;
    }

    /** The position of {@code value} in a list, like Python's {@code list.index}. */
    public int indexIn(String path, String value) {
        int index = texts(path).indexOf(value);
        if (index < 0) {
            throw problem(path, "does not contain '" + value + "' " + texts(path));
        }
        return index;
    }

    public TaskDataException problem(String field, String what) {
        return new TaskDataException(task + " document " + docId + ": field '" + field + "' " + what);
    }

    private JsonNode field(String path) {
        JsonNode node = row;
        for (String part : path.split("\\.")) {
            node = node.get(part);
            if (node == null) {
                throw problem(path, "is missing (the row has " + fieldNames() + ")");
            }
        }
        return node;
    }

    private List<String> fieldNames() {
        List<String> names = new ArrayList<>();
        row.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String describe(JsonNode value) {
        return value.isTextual() ? "'" + value.asText() + "'" : value.getNodeType().toString();
    }
}
