package dev.aqlm.runtime.cuda;

import static jcuda.driver.CUresult.CUDA_ERROR_ILLEGAL_ADDRESS;
import static jcuda.driver.CUresult.CUDA_ERROR_LAUNCH_FAILED;
import static jcuda.driver.CUresult.CUDA_ERROR_MISALIGNED_ADDRESS;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Each check the CUDA emulator makes that a GPU run does not give for free (compute-sanitizer's memcheck, racecheck,
 * synccheck and initcheck, on the CPU), shown by a small kernel with that bug planted (kernels/emulator/planted), and
 * the faithful behaviours the backend's tests rely on (launch limits, sticky faults, deferred execution, per-device
 * memory). The surefire run on the emulator shows four devices (CUEMU_DEVICES=4).
 */
@Tag("gpu")
class CudaEmulatorChecksTest {
    private static final boolean CHECKED = true;
    private static final boolean PLAIN = false;

    @Test
    void aReadPastTheEndOfAnAllocationIsReportedWithTheKernelAndTheAllocation() {
        try (PlantedKernels device = PlantedKernels.open(0, CHECKED)) {
            long in = device.upload(new float[100]);
            long out = device.allocate(4);
            assertThat(device.expectFault(CUDA_ERROR_ILLEGAL_ADDRESS, "read_past_end", 1, 1, in, out, 100))
                    .contains("read_past_end").contains("out-of-bounds read of 4 bytes")
                    .contains("0 bytes past the end of device 0 allocation").contains("of 400 bytes");
        }
    }

    @Test
    void aWriteBeyondTheLastPageFaultsEvenWithoutTheCheckedModule() {
        try (PlantedKernels device = PlantedKernels.open(0, PLAIN)) {
            long out = device.allocate(4 * 64);
            assertThat(device.expectFault(CUDA_ERROR_ILLEGAL_ADDRESS, "write_past_end", 1, 1, out, 64))
                    .contains("write_past_end").contains("block (0,0,0)")
                    .contains("out-of-bounds access: 0 bytes past the end of device 0 allocation");
        }
    }

    @Test
    void aMisalignedVectorLoadIsAMisalignedAddressAsOnAGpu() {
        try (PlantedKernels device = PlantedKernels.open(0, CHECKED)) {
            long in = device.upload(new float[16]);
            long out = device.allocate(16);
            assertThat(device.expectFault(CUDA_ERROR_MISALIGNED_ADDRESS, "misaligned_vector_load", 1, 1, in, out))
                    .contains("misaligned read of 16 bytes");
        }
    }

    @Test
    void anotherDevicesMemoryIsOutOfReachUntilPeerAccessIsEnabled() {
        try (PlantedKernels owner = PlantedKernels.open(1, CHECKED);
             PlantedKernels reader = PlantedKernels.open(0, CHECKED);
             PlantedKernels peerReader = PlantedKernels.open(0, CHECKED)) {
            long data = owner.upload(7f);
            // A pointer argument into device 1's memory: refused at launch, and the context is poisoned.
            long out = reader.allocate(4);
            assertThat(reader.expectFault(CUDA_ERROR_ILLEGAL_ADDRESS, "copy_floats", 1, 1, data, out, 1))
                    .contains("device 1").contains("no peer access");

            // The same pointer read from device memory, which only the access hooks see; then with peer access.
            long table = peerReader.uploadAddress(data);
            long peerOut = peerReader.allocate(4);
            peerReader.enablePeerAccess(owner);
            assertThat(peerReader.run("read_through_table", 1, 1, table, peerOut)).isZero();
            assertThat(peerReader.download(peerOut, 1)).containsExactly(7f);
        }
        try (PlantedKernels owner = PlantedKernels.open(1, CHECKED);
             PlantedKernels reader = PlantedKernels.open(0, CHECKED)) {
            long data = owner.upload(7f);
            long table = reader.uploadAddress(data);
            long out = reader.allocate(4);
            assertThat(reader.expectFault(CUDA_ERROR_ILLEGAL_ADDRESS, "read_through_table", 1, 1, table, out))
                    .contains("read_through_table").contains("device 1")
                    .contains("has no peer access");
        }
    }

    @Test
    void sharedMemoryStartsEachBlockAsGarbage() {
        try (PlantedKernels device = PlantedKernels.open(0, PLAIN)) {
            long out = device.allocate(4 * 4);
            assertThat(device.run("read_other_blocks_shared", 4, 32, out)).isZero();
            float[] seen = device.download(out, 4);
            assertThat(seen[0]).isEqualTo(42f);
            assertThat(seen[1]).isNaN();
            assertThat(seen[3]).isNaN();
        }
        try (PlantedKernels device = PlantedKernels.open(0, CHECKED)) {
            long out = device.allocate(4 * 4);
            assertThat(device.expectFault(CUDA_ERROR_LAUNCH_FAILED, "read_other_blocks_shared", 4, 32, out))
                    .contains("uninitialised shared memory")
                    .containsPattern("block \\([123],0,0\\)");
        }
    }

    @Test
    void aBarrierReachedByPartOfABlockIsBarrierDivergence() {
        try (PlantedKernels device = PlantedKernels.open(0, PLAIN)) {
            long out = device.allocate(4 * 128);
            assertThat(device.expectFault(CUDA_ERROR_LAUNCH_FAILED, "barrier_in_first_warp_only", 1, 128, out))
                    .contains("barrier divergence");
        }
    }

    @Test
    void aDeadlockIsReportedInsteadOfHanging() {
        try (PlantedKernels device = PlantedKernels.open(0, PLAIN)) {
            long out = device.allocate(4 * 32);
            assertThat(device.expectFault(CUDA_ERROR_LAUNCH_FAILED, "shuffle_against_barrier", 1, 32, out))
                    .contains("deadlock").contains("1 in warp collectives");
        }
    }

    @Test
    void aMissingSyncthreadsBetweenAWriteAndAnotherThreadsReadIsARace() {
        try (PlantedKernels device = PlantedKernels.open(0, CHECKED)) {
            long in = device.upload(new float[64]);
            long out = device.allocate(4 * 64);
            assertThat(device.expectFault(CUDA_ERROR_LAUNCH_FAILED, "missing_syncthreads", 1, 64, in, out))
                    .contains("shared-memory race (read after write)")
                    .contains("by thread 1, which thread 0 wrote");
        }
        try (PlantedKernels device = PlantedKernels.open(0, CHECKED)) {
            long in = device.upload(new float[64]);
            long out = device.allocate(4 * 64);
            assertThat(device.expectFault(CUDA_ERROR_LAUNCH_FAILED, "write_after_read", 1, 64, in, out))
                    .contains("shared-memory race (write after read)");
        }
    }

    @Test
    void correctSharedMemoryUseWithBarriersPassesEveryCheck() {
        try (PlantedKernels device = PlantedKernels.open(0, CHECKED)) {
            float[] values = new float[64];
            for (int i = 0; i < 64; i++) {
                values[i] = i;
            }
            long in = device.upload(values);
            long out = device.allocate(4 * 64);
            assertThat(device.run("reverse_in_shared", 1, 64, in, out)).isZero();
            assertThat(device.download(out, 64)[0]).isEqualTo(63f);
            assertThat(device.launch("uses_dynamic_shared", 1, 64, 64 * 4, out)).isZero();
            assertThat(device.synchronize()).isZero();
            assertThat(device.download(out, 64)[5]).isEqualTo(5f);
        }
    }

    @Test
    void aShuffleMaskNamingLanesOutsideTheBlockIsRefused() {
        try (PlantedKernels device = PlantedKernels.open(0, PLAIN)) {
            long out = device.allocate(4 * 16);
            assertThat(device.expectFault(CUDA_ERROR_LAUNCH_FAILED, "shuffle_with_absent_lanes", 1, 16, out))
                    .contains("naming lane 16, which does not exist in this block");
        }
    }

    @Test
    void launchLimitsAreTheHardwaresAndAFaultPoisonsTheContext() {
        try (PlantedKernels device = PlantedKernels.open(0, PLAIN)) {
            long out = device.allocate(4 * 1024);
            assertThat(device.launch("bounded_to_64", 1, 128, 0, out))
                    .isEqualTo(CUresult.CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES);
            assertThat(device.launch("bounded_to_64", 1, 1025, 0, out)).isEqualTo(CUresult.CUDA_ERROR_INVALID_VALUE);
            assertThat(device.launch("uses_dynamic_shared", 1, 64, 64 * 1024, out))
                    .isEqualTo(CUresult.CUDA_ERROR_INVALID_VALUE);
            assertThat(device.allowDynamicShared("uses_dynamic_shared", 64 * 1024)).isZero();
            assertThat(device.launch("uses_dynamic_shared", 1, 64, 64 * 1024, out)).isZero();
            assertThat(device.synchronize()).isZero();

            int fault = device.run("write_past_end", 1, 1, out, 1024);
            assertThat(fault).isEqualTo(CUresult.CUDA_ERROR_ILLEGAL_ADDRESS);
            // Sticky, as on hardware: nothing more runs in this context.
            assertThat(device.launch("bounded_to_64", 1, 64, 0, out)).isEqualTo(fault);
            assertThat(device.synchronize()).isEqualTo(fault);
            device.makeCurrent();
            assertThat(JCudaDriver.cuMemAlloc(new jcuda.driver.CUdeviceptr(), 16)).isEqualTo(fault);
        }
    }

    @Test
    void deviceMemoryIsLimitedAndTheBackendSaysWhatToLower() {
        CudaContext context = new CudaContext(GpuTests.requireDevice());
        try {
            org.junit.jupiter.api.Assumptions.assumeTrue(context.device().isEmulated(), "emulator only");
            long tooMuch = context.device().totalMemory() + 1;
            assertThat(org.junit.jupiter.api.Assertions.assertThrows(CudaOutOfMemoryException.class,
                    () -> context.allocate(tooMuch, "an oversized KV cache")))
                    .hasMessageContaining("an oversized KV cache").hasMessageContaining("lower --slots");
        } finally {
            context.close();
        }
    }

    @Test
    void withDeferredExecutionAReadThatForgotToSynchronizeSeesTheOldContents() {
        try (PlantedKernels device = PlantedKernels.open(0, PLAIN)) {
            long in = device.upload(1f, 2f, 3f, 4f);
            long out = device.allocate(16);
            assertThat(device.launch("copy_floats", 1, 4, 0, in, out, 4)).isZero();
            for (float value : device.download(out, 4)) {
                assertThat(value).as("fresh device memory reads as NaN").isNaN();
            }
            assertThat(device.synchronize()).isZero();
            assertThat(device.download(out, 4)).containsExactly(1f, 2f, 3f, 4f);
        }
    }

    @Test
    void aKernelWaitingForAnotherDevicesFlagCompletesBecauseDevicesRunSideBySide() {
        try (PlantedKernels waiter = PlantedKernels.open(0, PLAIN);
             PlantedKernels setter = PlantedKernels.open(1, PLAIN)) {
            long flag = setter.upload(0f);  // a synchronous upload: the flag is 0 before either kernel runs
            long seen = waiter.allocate(4);
            waiter.enablePeerAccess(setter);
            assertThat(waiter.launch("wait_for_flag", 1, 1, 0, flag, seen)).isZero();
            assertThat(setter.launch("set_flag", 1, 1, 0, flag, 5)).isZero();
            assertThat(waiter.synchronize()).isZero();
            float[] raw = waiter.download(seen, 1);
            assertThat(Float.floatToRawIntBits(raw[0])).isEqualTo(5);
        }
    }

    @Test
    void aKernelThatNeverFinishesIsStoppedByTheWatchdog() {
        try (PlantedKernels device = PlantedKernels.open(0, PLAIN)) {
            long flag = device.upload(0f);  // nobody sets it
            long seen = device.allocate(4);
            assertThat(device.expectFault(CUresult.CUDA_ERROR_LAUNCH_TIMEOUT, "wait_for_flag", 1, 1, flag, seen))
                    .contains("still running after").contains("CUEMU_KERNEL_TIMEOUT_S");
        }
    }

    @Test
    void aFatbinFromOtherSourcesThanTheHostModuleIsRefusedAsStale() {
        try (PlantedKernels device = PlantedKernels.open(0, PLAIN)) {
            byte[] marker = ("aqlm-kernel-sources-sha256:" + "0".repeat(64)).getBytes(StandardCharsets.US_ASCII);
            ByteBuffer image = ByteBuffer.allocate(16 + marker.length + 1).order(ByteOrder.LITTLE_ENDIAN);
            image.putInt(0xBA55ED50).putShort((short) 1).putShort((short) 16).putLong(marker.length + 1).put(marker);
            device.makeCurrent();
            int result = JCudaDriver.cuModuleLoadData(new CUmodule(), image.array());
            assertThat(result).isEqualTo(CUresult.CUDA_ERROR_SHARED_OBJECT_INIT_FAILED);
            assertThat(CudaErrors.isKernelImageRejected(result)).as("a stale module fails, it does not skip").isFalse();
        }
    }
}
