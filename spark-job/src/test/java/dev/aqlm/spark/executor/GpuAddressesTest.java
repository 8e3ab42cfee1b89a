package dev.aqlm.spark.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.errors.AqlmException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GpuAddressesTest {
    @Test
    void indexAddressesAreOrdinals() {
        GpuAddresses addresses = new GpuAddresses(Path.of("/nonexistent"));
        assertEquals(0, addresses.ordinal("0"));
        assertEquals(3, addresses.ordinal(" 3 "));
    }

    @Test
    void pciBusIdsMapToTheirRankInBusOrder(@TempDir Path proc) throws IOException {
        // /proc/driver/nvidia/gpus lists one folder per GPU, named by PCI bus id; listing order is not bus order.
        for (String busId : new String[] {"0000:b1:00.0", "0000:3b:00.0", "0000:86:00.0"}) {
            Files.createDirectories(proc.resolve(busId));
        }
        GpuAddresses addresses = new GpuAddresses(proc);
        assertEquals(0, addresses.ordinal("0000:3B:00.0"));
        assertEquals(1, addresses.ordinal("00000000:86:00.0"), "nvidia-smi's 8-digit domain");
        assertEquals(2, addresses.ordinal("b1:00.0"));
        AqlmException unknown = assertThrows(AqlmException.class, () -> addresses.ordinal("0000:02:00.0"));
        assertTrue(unknown.getMessage().contains("does not list"), unknown.getMessage());
    }

    @Test
    void otherAddressesAreRejectedWithAHint() {
        AqlmException uuid = assertThrows(AqlmException.class,
                () -> new GpuAddresses().ordinal("GPU-5fd2e8a1-0000-1111-2222-333344445555"));
        assertTrue(uuid.getMessage().contains("discovery script"), uuid.getMessage());
    }
}
