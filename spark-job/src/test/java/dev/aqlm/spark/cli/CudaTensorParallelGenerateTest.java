package dev.aqlm.spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aqlm.runtime.cuda.GpuTests;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code aqlm-spark generate --backend cuda --tensor-parallel 2} as a user runs it on two emulated GPUs: the text of
 * one GPU, with peer access between the devices and, where the devices have none, through pinned host memory.
 */
@Tag("gpu")
class CudaTensorParallelGenerateTest {
    @TempDir
    Path dir;

    private String[] generate(String name, Map<String, String> environment, String... more) throws Exception {
        return TensorParallelGenerateTest.generate(dir, name, environment, more);
    }

    @Test
    void twoEmulatedGpusPrintTheTextOfOne() throws Exception {
        assumeTrue(GpuTests.requireDevice().isEmulated(), "two emulated devices (a GPU machine may have one)");
        Map<String, String> twoDevices = Map.of("AQLM_CUDA_EMULATOR", "1", "CUEMU_DEVICES", "2");
        String[] single = generate("cuda-tp1", twoDevices, "--backend", "cuda");
        String[] sharded = generate("cuda-tp2", twoDevices, "--backend", "cuda", "--tensor-parallel", "2");
        assertEquals("0", single[0], single[2]);
        assertEquals("0", sharded[0], sharded[2]);
        assertTrue(single[1].strip().length() > 0, "TP-1 printed a completion");
        assertEquals(single[1], sharded[1]);
        assertTrue(sharded[2].contains("cuda:1") && sharded[2].contains("shard 1"), "each shard's device:\n"
                + sharded[2]);

        String[] noPeers = generate("cuda-tp2-no-peers", Map.of("AQLM_CUDA_EMULATOR", "1", "CUEMU_DEVICES", "2",
                "CUEMU_PEER_ACCESS", "0"), "--backend", "cuda", "--tensor-parallel", "2");
        assertEquals("0", noPeers[0], noPeers[2]);
        assertEquals(single[1], noPeers[1]);
        assertTrue(noPeers[2].contains("pinned host memory"), "says how the shards exchange:\n" + noPeers[2]);
    }
}
