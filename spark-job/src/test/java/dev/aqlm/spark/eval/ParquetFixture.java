package dev.aqlm.spark.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * Writes JSON rows as Parquet the way pyarrow (and so the Hugging Face Hub) lays them out: optional columns, strings
 * as annotated binary, integers as int64, lists in the three-level LIST layout ({@code list.element}), structs as
 * groups; or, with {@code legacyLists}, lists as bare repeated fields (the two-level layout of older writers).
 */
final class ParquetFixture {
    private ParquetFixture() {
    }

    static void write(Path file, List<JsonNode> rows, boolean legacyLists) throws IOException {
        MessageType schema = MessageTypeParser.parseMessageType(
                "message schema {\n" + fields(rows.get(0), legacyLists) + "}");
        SimpleGroupFactory groups = new SimpleGroupFactory(schema);
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file)).withType(schema)
                .withCompressionCodec(CompressionCodecName.SNAPPY).build()) {
            for (JsonNode row : rows) {
                Group group = groups.newGroup();
                fill(group, row, legacyLists);
                writer.write(group);
            }
        }
    }

    private static String fields(JsonNode object, boolean legacyLists) {
        StringBuilder schema = new StringBuilder();
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            schema.append(field(field.getKey(), field.getValue(), "optional", legacyLists));
        }
        return schema.toString();
    }

    private static String field(String name, JsonNode value, String repetition, boolean legacyLists) {
        if (value.isTextual()) {
            return repetition + " binary " + name + " (STRING);\n";
        }
        if (value.isIntegralNumber()) {
            return repetition + " int64 " + name + ";\n";
        }
        if (value.isObject()) {
            return repetition + " group " + name + " {\n" + fields(value, legacyLists) + "}\n";
        }
        if (value.isArray()) {
            if (legacyLists) {
                return field(name, value.get(0), "repeated", true);
            }
            return repetition + " group " + name + " (LIST) {\n repeated group list {\n"
                    + field("element", value.get(0), "optional", false) + " }\n}\n";
        }
        throw new IllegalArgumentException("no Parquet type for " + value);
    }

    private static void fill(Group group, JsonNode object, boolean legacyLists) {
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            JsonNode value = field.getValue();
            if (value.isArray()) {
                for (JsonNode element : value) {
                    if (legacyLists) {
                        append(group, field.getKey(), element, true);
                    } else {
                        Group list = group.getFieldRepetitionCount(field.getKey()) == 0
                                ? group.addGroup(field.getKey()) : group.getGroup(field.getKey(), 0);
                        append(list.addGroup("list"), "element", element, false);
                    }
                }
            } else {
                append(group, field.getKey(), value, legacyLists);
            }
        }
    }

    private static void append(Group group, String name, JsonNode value, boolean legacyLists) {
        if (value.isTextual()) {
            group.append(name, value.asText());
        } else if (value.isIntegralNumber()) {
            group.append(name, value.asLong());
        } else if (value.isObject()) {
            fill(group.addGroup(name), value, legacyLists);
        } else {
            throw new IllegalArgumentException("no Parquet value for " + value);
        }
    }
}
