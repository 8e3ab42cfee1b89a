package dev.aqlm.runtime.notebook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.aqlm.runtime.Fixtures;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every notebook is valid nbformat 4.5 as Jupyter reads it: checked against the official JSON schema (shipped in test
 * resources from nbformat 5.5, BSD-3-Clause), which requires a unique id on every cell since 4.5. Its magics are the
 * JJava kernel's current ones: {@code %classpath}, not the deprecated {@code %jars}.
 */
class NotebookFormatTest {
    private static final JsonSchema NBFORMAT_4_5 = schema("/nbformat/nbformat.v4.5.schema.json");

    static List<Path> notebooks() throws IOException {
        return JupyterNotebookTest.notebooks();
    }

    @ParameterizedTest
    @MethodSource("notebooks")
    void isValidNbformat45WithUniqueCellIds(Path notebook) {
        JsonNode json = Fixtures.json(notebook);
        assertThat(json.get("nbformat").asInt()).isEqualTo(4);
        assertThat(json.get("nbformat_minor").asInt()).isEqualTo(5);
        Set<ValidationMessage> errors = NBFORMAT_4_5.validate(json);
        assertThat(errors).as(notebook + " against the nbformat 4.5 schema").isEmpty();
        Set<String> ids = new HashSet<>();
        json.get("cells").forEach(cell -> assertThat(ids.add(cell.get("id").asText()))
                .as("cell id '" + cell.get("id").asText() + "' is unique").isTrue());
    }

    @ParameterizedTest
    @MethodSource("notebooks")
    void usesTheKernelsCurrentMagicsAndTheKernelNameJava(Path notebook) {
        JsonNode json = Fixtures.json(notebook);
        assertThat(json.at("/metadata/kernelspec/name").asText()).isEqualTo("java");
        List<String> magics = new ArrayList<>();
        json.get("cells").forEach(cell -> cell.get("source").forEach(line -> {
            if (line.asText().startsWith("%")) {
                magics.add(line.asText().split("\\s", 2)[0]);
            }
        }));
        assertThat(magics).contains("%classpath").doesNotContain("%jars");
    }

    private static JsonSchema schema(String resource) {
        try (InputStream in = NotebookFormatTest.class.getResourceAsStream(resource)) {
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
    }
}
