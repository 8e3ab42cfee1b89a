package dev.aqlm.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The tensor-parallel options: which GPU each shard gets, and the device lists that cannot be right. */
class EngineOptionsTest {
    @Test
    void shardsDefaultToConsecutiveOrdinalsFromTheDevice() {
        assertEquals(List.of(0, 1, 2, 3), EngineOptions.DEFAULTS.withTensorParallel(4).shardDevices());
        assertEquals(List.of(2, 3), EngineOptions.DEFAULTS.withDeviceOrdinal(2).withTensorParallel(2).shardDevices());
    }

    @Test
    void anExplicitDeviceListMayRepeatAGpuAndNamesTheFirstShardsDevice() {
        EngineOptions options = EngineOptions.DEFAULTS.withTensorParallel(2).withDevices(List.of(1, 1));
        assertEquals(List.of(1, 1), options.shardDevices());
        assertEquals(1, options.deviceOrdinal());
    }

    @Test
    void aDeviceListOfTheWrongLengthIsRefusedNamingBothOptions() {
        InvalidRequestException error = assertThrows(InvalidRequestException.class,
                () -> EngineOptions.DEFAULTS.withTensorParallel(2).withDevices(List.of(0, 1, 2)));
        assertTrue(error.getMessage().contains("--devices lists 3 device(s) [0, 1, 2] for --tensor-parallel 2"),
                error.getMessage());
        assertThrows(InvalidRequestException.class, () -> EngineOptions.DEFAULTS.withTensorParallel(0));
    }
}
