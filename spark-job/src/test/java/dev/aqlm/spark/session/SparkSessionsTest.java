package dev.aqlm.spark.session;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.errors.AqlmException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SparkSessionsTest {
    @Test
    void localSparkWithTaskGpusIsRefusedInsteadOfHanging() {
        AqlmException error = assertThrows(AqlmException.class, () -> SparkSessions.getOrCreate("test", "local[2]",
                Map.of("spark.task.resource.gpu.amount", "1")));
        assertTrue(error.getMessage().contains("--device"), error.getMessage());
    }
}
