package dev.aqlm.runtime.cuda;

/**
 * Can the CUDA backend run here, on this device ordinal? Checks, in order: the driver (libcuda.so.1 and cuInit), a
 * device with that ordinal, the kernels in the jar, and compute capability 8.0 or newer. Never throws.
 *
 * @param reason null when usable; otherwise one line saying what is missing
 */
public record CudaAvailability(boolean usable, String reason, CudaDevice device) {

    public static CudaAvailability check(int ordinal) {
        String driver = CudaDriver.unavailableReason();
        if (driver != null) {
            return unusable(driver, null);
        }
        CudaDevice device;
        try {
            device = CudaDevice.get(ordinal);
        } catch (RuntimeException e) {
            return unusable(e.getMessage(), null);
        }
        String kernels = KernelImage.unavailableReason();
        if (kernels != null) {
            return unusable(kernels, device);
        }
        if (!device.isSupported()) {
            return unusable(device.name() + " has compute capability " + device.computeCapability()
                    + "; the kernels need " + CudaDevice.MIN_MAJOR + ".0 (Ampere) or newer", device);
        }
        return new CudaAvailability(true, null, device);
    }

    private static CudaAvailability unusable(String reason, CudaDevice device) {
        return new CudaAvailability(false, reason, device);
    }
}
