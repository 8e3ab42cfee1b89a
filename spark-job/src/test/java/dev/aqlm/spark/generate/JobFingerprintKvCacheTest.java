package dev.aqlm.spark.generate;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.errors.AqlmException;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.engine.KvCacheFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The KV cache format decides a job's tokens: resuming under another one is refused, naming it. */
class JobFingerprintKvCacheTest {
    private static JobFingerprint fingerprint(KvCacheFormat kvCache) {
        GenerateJobSpec spec = GenerateJobSpec.builder(JobSpecs.MODEL, "prompts.jsonl", "out")
                .engine(EngineOptions.cpu()).kvCache(kvCache).build();
        return JobFingerprint.of(spec, JobSpecs.modelDirectory().toString(), null);
    }

    @Test
    void resumingUnderAnotherKvCacheFormatIsRefused() {
        AqlmException e = assertThrows(AqlmException.class, () -> fingerprint(KvCacheFormat.bits(4))
                .requireSameAs(fingerprint(KvCacheFormat.FULL_PRECISION), "out"));
        assertTrue(e.getMessage().contains("kv_cache: '16-bit' -> '4-bit (group 64, residual 128)'"), e.getMessage());
    }

    @Test
    void anOutputWrittenBeforeTheSettingExistedCountsAsSixteenBit(@TempDir Path dir) throws IOException {
        Configuration hadoop = new Configuration();
        org.apache.hadoop.fs.Path output = new org.apache.hadoop.fs.Path(dir.toUri());
        fingerprint(KvCacheFormat.FULL_PRECISION).write(output, hadoop);
        Path file = dir.resolve(JobFingerprint.FILE_NAME);
        String older = Files.readString(file).replaceAll("\\s*\"kv_cache\" : \"16-bit\",", "");
        assertTrue(!older.contains("kv_cache"), older);
        Files.writeString(file, older);
        Files.deleteIfExists(dir.resolve("." + JobFingerprint.FILE_NAME + ".crc"));
        JobFingerprint stored = JobFingerprint.read(output, hadoop);
        fingerprint(KvCacheFormat.FULL_PRECISION).requireSameAs(stored, "out");
        assertThrows(AqlmException.class, () -> fingerprint(KvCacheFormat.bits(2)).requireSameAs(stored, "out"));
    }
}
