package dev.aqlm.spark.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.parallel.TensorParallelException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a task's GPUs become the devices of a tensor-parallel model. */
class ModelDescriptorTest {
    private static final EngineOptions TP2 = EngineOptions.DEFAULTS.withBackend(EngineOptions.BackendKind.CUDA)
            .withTensorParallel(2);

    @Test
    void aTaskWithTwoGpusPutsOneShardOnEach() {
        EngineOptions options = new ModelDescriptor("m", TP2).engineOptions(List.of(3, 1));
        assertEquals(2, options.tensorParallel());
        assertEquals(List.of(3, 1), options.shardDevices());
    }

    @Test
    void withoutSparkGpusTheConfiguredDevicesAreUsed() {
        assertEquals(List.of(0, 1), new ModelDescriptor("m", TP2).engineOptions().shardDevices());
        assertEquals(List.of(0, 0), new ModelDescriptor("m", TP2.withDevices(List.of(0, 0))).engineOptions()
                .shardDevices());
    }

    @Test
    void aTaskWhoseGpuCountDiffersFromTheShardsSaysWhichSettingsToChange() {
        TensorParallelException error = assertThrows(TensorParallelException.class,
                () -> new ModelDescriptor("m", TP2).engineOptions(List.of(0)));
        assertTrue(error.getMessage().contains("spark.task.resource.gpu.amount to 2"), error.getMessage());
    }

    @Test
    void descriptorsDifferingOnlyInShardsAreDifferentModels() {
        assertTrue(!new ModelDescriptor("m", TP2).equals(new ModelDescriptor("m", TP2.withTensorParallel(1))));
    }
}
