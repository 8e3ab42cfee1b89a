package dev.aqlm.runtime.cuda;

import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import jcuda.driver.CUdevice;
import jcuda.driver.JCudaDriver;

/**
 * One GPU, by its ordinal in PCI bus order, with the properties the kernels are planned with.
 *
 * @param sharedMemoryPerBlock largest dynamic shared memory one block may opt in to
 * @param sharedMemoryPerSm    shared memory of one multiprocessor (how many blocks fit side by side)
 */
public record CudaDevice(int ordinal, CUdevice handle, String name, String pciBusId, int major, int minor,
                         int multiprocessors, int sharedMemoryPerBlock, int sharedMemoryPerSm, int l2Bytes,
                         long totalMemory) {

    /** The kernels need sm_80 (cp.async, bf16 mma). */
    public static final int MIN_MAJOR = 8;

    public String computeCapability() {
        return major + "." + minor;
    }

    /** A device of the CUDA emulator: it proves logic, never speed. */
    public boolean isEmulated() {
        return CudaEmulator.isEmulatedDeviceName(name);
    }

    public boolean isSupported() {
        return major >= MIN_MAJOR;
    }

    public String describe() {
        return "cuda:" + ordinal + " " + name + " (sm_" + major + minor + ", " + multiprocessors + " SMs, "
                + String.format("%.1f GiB", totalMemory / 0x1p30) + ", PCI " + pciBusId + ")";
    }

    /** Every visible device, ordinal = position in PCI bus order. Requires the driver ({@link CudaDriver}). */
    public static List<CudaDevice> all() {
        CudaDriver.require();
        int[] count = new int[1];
        CudaException.check(JCudaDriver.cuDeviceGetCount(count), "cuDeviceGetCount");
        List<PciBusOrder.Entry> entries = new ArrayList<>();
        for (int i = 0; i < count[0]; i++) {
            entries.add(new PciBusOrder.Entry(i, pciBusId(driverDevice(i))));
        }
        int[] order = PciBusOrder.driverIndicesInBusOrder(entries);
        List<CudaDevice> devices = new ArrayList<>();
        for (int ordinal = 0; ordinal < order.length; ordinal++) {
            devices.add(describe(ordinal, driverDevice(order[ordinal])));
        }
        return devices;
    }

    /** The device with this ordinal, or an error listing how many there are. */
    public static CudaDevice get(int ordinal) {
        List<CudaDevice> devices = all();
        if (devices.isEmpty()) {
            throw new CudaUnavailableException("no CUDA device is visible");
        }
        if (ordinal < 0 || ordinal >= devices.size()) {
            throw new CudaUnavailableException("device ordinal " + ordinal + " does not exist; " + devices.size()
                    + " device(s) are visible (ordinals 0.." + (devices.size() - 1) + ", PCI bus order)");
        }
        return devices.get(ordinal);
    }

    private static CUdevice driverDevice(int index) {
        CUdevice device = new CUdevice();
        CudaException.check(JCudaDriver.cuDeviceGet(device, index), "cuDeviceGet(" + index + ")");
        return device;
    }

    private static String pciBusId(CUdevice device) {
        String[] id = new String[1];
        CudaException.check(JCudaDriver.cuDeviceGetPCIBusId(id, 64, device), "cuDeviceGetPCIBusId");
        return id[0].trim();
    }

    private static CudaDevice describe(int ordinal, CUdevice device) {
        byte[] nameBytes = new byte[256];
        CudaException.check(JCudaDriver.cuDeviceGetName(nameBytes, nameBytes.length, device), "cuDeviceGetName");
        int end = 0;
        while (end < nameBytes.length && nameBytes[end] != 0) {
            end++;
        }
        long[] memory = new long[1];
        CudaException.check(JCudaDriver.cuDeviceTotalMem(memory, device), "cuDeviceTotalMem");
        return new CudaDevice(ordinal, device, new String(nameBytes, 0, end, StandardCharsets.UTF_8).trim(),
                pciBusId(device),
                attribute(device, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR),
                attribute(device, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR),
                attribute(device, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT),
                attribute(device, CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN),
                attribute(device, CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR),
                attribute(device, CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE),
                memory[0]);
    }

    private static int attribute(CUdevice device, int attribute) {
        int[] value = new int[1];
        CudaException.check(JCudaDriver.cuDeviceGetAttribute(value, attribute, device),
                "cuDeviceGetAttribute(" + attribute + ")");
        return value[0];
    }
}
