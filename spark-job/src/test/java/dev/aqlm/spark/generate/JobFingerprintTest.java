package dev.aqlm.spark.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aqlm.runtime.engine.GenerationOption;
import dev.aqlm.runtime.engine.GenerationOptions;
import dev.aqlm.runtime.errors.AqlmException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The resume fingerprint: its generation entries come from the options table, and older files still resume. */
class JobFingerprintTest {
    /** A model folder this driver does not see: the fingerprint records its path. */
    private static String model(Path dir) {
        return dir.resolve("model").toString();
    }

    @Test
    void generationEntriesAreTheTablesFingerprintOptions(@TempDir Path dir) {
        GenerateJobSpec spec = GenerateJobSpec.builder(model(dir), "in.jsonl", "out").topK(40).minP(0.1).build();
        Map<String, String> fields = JobFingerprint.of(spec, model(dir), null).fields();
        GenerationOptions.with(GenerationOption.Use.FINGERPRINT)
                .forEach(option -> assertThat(fields).containsKey(option.name()));
        assertThat(fields).containsEntry("temperature", "1.0").containsEntry("top_k", "40").containsEntry("min_p", "0.1");
    }

    @Test
    void aFingerprintWrittenBeforeMinPAndIgnoreEosStillResumesWithTheSameSettings(@TempDir Path dir) throws Exception {
        GenerateJobSpec spec = GenerateJobSpec.builder(model(dir), "in.jsonl", "out").stopAtEos(false).build();
        JobFingerprint current = JobFingerprint.of(spec, model(dir), null);
        // As an earlier version wrote it: stop_at_eos instead of ignore_eos, no min_p.
        StringBuilder settings = new StringBuilder();
        current.fields().forEach((key, value) -> {
            if (key.equals("ignore_eos")) {
                settings.append(",\"stop_at_eos\":\"false\"");
            } else if (!key.equals("min_p")) {
                settings.append(",\"").append(key).append("\":\"").append(value.replace("\\", "\\\\")).append('"');
            }
        });
        Files.writeString(dir.resolve(JobFingerprint.FILE_NAME),
                "{\"format\":1,\"settings\":{" + settings.substring(1) + "}}");
        JobFingerprint stored = JobFingerprint.read(new org.apache.hadoop.fs.Path(dir.toUri()), new Configuration());

        current.requireSameAs(stored, "out");
        JobFingerprint withEos = JobFingerprint.of(GenerateJobSpec.builder(model(dir), "in.jsonl", "out").build(),
                model(dir), null);
        assertThatThrownBy(() -> withEos.requireSameAs(stored, "out")).isInstanceOf(AqlmException.class)
                .hasMessageContaining("ignore_eos: 'true' -> 'false'");
    }
}
