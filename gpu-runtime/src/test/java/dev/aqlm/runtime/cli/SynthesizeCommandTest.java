package dev.aqlm.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.synthetic.SyntheticCheckpointFolder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** synthesize never writes random weights over anything but a synthetic checkpoint of its own, and only when asked. */
class SynthesizeCommandTest {
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private PrintStream originalErr;

    @TempDir
    Path dir;

    @BeforeEach
    void captureStderr() {
        originalErr = System.err;
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreStderr() {
        System.setErr(originalErr);
        originalErr.print(stderr);
    }

    private int synthesize(Path output, String... more) {
        String[] args = {"synthesize", "--output", output.toString(), "--shape", "tiny"};
        String[] all = Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return RuntimeCli.execute(new RuntimeCli(), all);
    }

    @Test
    void aCheckpointThatIsNotSyntheticIsNeverWrittenOverEvenWithOverwrite() throws Exception {
        Path real = Files.createDirectories(dir.resolve("real-model"));
        Files.writeString(real.resolve("config.json"), "{\"model_type\": \"llama\"}");
        Files.writeString(real.resolve("model.safetensors"), "real weights");
        assertEquals(1, synthesize(real));
        assertThat(stderr.toString()).contains("is not a synthetic checkpoint").contains("config.json");
        assertEquals(1, synthesize(real, "--overwrite"));
        assertEquals("real weights", Files.readString(real.resolve("model.safetensors")));
        assertEquals("{\"model_type\": \"llama\"}", Files.readString(real.resolve("config.json")));
    }

    @Test
    void aSyntheticCheckpointIsReplacedOnlyWithOverwriteAndOtherFilesStay() throws Exception {
        Path model = dir.resolve("synthetic");
        assertEquals(0, synthesize(model, "--quantization", "2x8"));
        assertThat(SyntheticCheckpointFolder.isComplete(model)).isTrue();
        Files.writeString(model.resolve("NOTES.md"), "mine");
        byte[] before = Files.readAllBytes(model.resolve("model.safetensors"));

        assertEquals(1, synthesize(model, "--quantization", "1x16"));
        assertThat(stderr.toString()).contains("already holds a synthetic checkpoint").contains("--overwrite");
        assertThat(Files.readAllBytes(model.resolve("model.safetensors"))).isEqualTo(before);

        assertEquals(0, synthesize(model, "--quantization", "1x16", "--overwrite"));
        assertThat(Files.readAllBytes(model.resolve("model.safetensors"))).isNotEqualTo(before);
        assertEquals("mine", Files.readString(model.resolve("NOTES.md")), "a file synthesize did not write stays");
        try (LanguageModel loaded = LanguageModel.load(model, EngineOptions.cpu())) {
            assertThat(loaded.config().quantization().shortName()).isEqualTo("1x16");
        }
        try (var siblings = Files.list(dir)) {
            assertThat(siblings.map(p -> p.getFileName().toString()).toList()).as("no temporary folder left")
                    .containsExactly("synthetic");
        }
    }

    @Test
    void schemesTheLoaderRejectsAreNeverWritten() {
        assertEquals(1, synthesize(dir.resolve("a"), "--quantization", "1x17"));
        assertThat(stderr.toString()).contains("AQLM scheme '1x17'").contains("nbits_per_codebook 17");
        assertEquals(1, synthesize(dir.resolve("b"), "--quantization", "2x8g7"));
        assertThat(stderr.toString()).contains("in_group_size 7 is not supported");
        assertThat(dir.resolve("a")).doesNotExist();
        assertThat(dir.resolve("b")).doesNotExist();
        assertThat(stderr.toString()).doesNotContain("\tat ");
    }
}
