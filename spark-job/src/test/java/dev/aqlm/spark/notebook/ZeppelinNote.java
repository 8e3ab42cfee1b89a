package dev.aqlm.spark.notebook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Zeppelin note (.zpln, Zeppelin 0.10+ JSON): its paragraphs in order, each split into interpreter and code. */
record ZeppelinNote(String name, List<ZeppelinNote.Paragraph> paragraphs) {
    /** Zeppelin reads the interpreter from the first line, "%name" or "%name(local properties)", then the code. */
    private static final Pattern INTERPRETER = Pattern.compile("^%([\\w.]+)(\\([^)]*\\))?[ \\t]*(\\r?\\n|$)");

    /** @param interpreter e.g. "spark", "spark.conf", "md"; "" when the text names none (the note's default) */
    record Paragraph(int number, String title, String interpreter, String code, String text) {
        /** Scala code for the Spark interpreter: %spark or %spark.spark (not %spark.conf, %spark.pyspark, ...). */
        boolean isSparkScala() {
            return interpreter.equals("spark") || interpreter.equals("spark.spark");
        }

        String describe() {
            return "paragraph " + number + (title.isEmpty() ? "" : " (\"" + title + "\")");
        }
    }

    static ZeppelinNote read(Path file) {
        JsonNode note;
        try {
            note = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Zeppelin note " + file, e);
        }
        List<Paragraph> paragraphs = new ArrayList<>();
        for (JsonNode paragraph : note.path("paragraphs")) {
            String text = paragraph.path("text").asText("");
            Matcher interpreter = INTERPRETER.matcher(text);
            boolean named = interpreter.find();
            paragraphs.add(new Paragraph(paragraphs.size() + 1, paragraph.path("title").asText(""),
                    named ? interpreter.group(1) : "", named ? text.substring(interpreter.end()) : text, text));
        }
        return new ZeppelinNote(note.path("name").asText(file.getFileName().toString()), paragraphs);
    }

    List<Paragraph> sparkScalaParagraphs() {
        return paragraphs.stream().filter(Paragraph::isSparkScala).toList();
    }
}
