package dev.aqlm.runtime.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The CUDA driver emulator (kernels/emulator): a CPU stand-in for libcuda.so.1 that runs the project's kernels, built
 * by g++ into the aqlm-kernels jar. With {@code AQLM_CUDA_EMULATOR=1} (or {@code -Daqlm.cuda.emulator=true}) the CUDA
 * backend runs on it: the emulated driver is loaded before JCuda's binding, whose dependency on libcuda.so.1 then
 * resolves to it. It proves logic (indexing, layouts, synchronisation, multi-device protocol), never speed: devices
 * say "CUDA emulator" in their name, and speed figures from them are refused.
 *
 * <p>Its own settings are environment variables read by the emulated driver: {@code CUEMU_DEVICES} (default 1),
 * {@code CUEMU_MEMORY_MB} per device (8192), {@code CUEMU_SM} (80), {@code CUEMU_THREADS} per grid (all cores),
 * {@code CUEMU_EXECUTION=deferred|eager}, {@code CUEMU_PEER_ACCESS=0|1}, {@code CUEMU_CHECKS=1} (memcheck and
 * racecheck, slower).
 */
public final class CudaEmulator {
    public static final String ENVIRONMENT_VARIABLE = "AQLM_CUDA_EMULATOR";
    public static final String PROPERTY = "aqlm.cuda.emulator";
    static final String RESOURCES = "dev/aqlm/kernels/emulator/";
    static final String NOT_BUILT_MARKER = RESOURCES + "NO_EMULATOR";
    private static final String[] LIBRARIES = {"libcuda.so.1", "libaqlm_kernels_emu.so", "libaqlm_kernels_emu_checked.so"};

    private CudaEmulator() {
    }

    /** True when the user asked for the emulator instead of the NVIDIA driver. */
    public static boolean requested() {
        String variable = System.getenv(ENVIRONMENT_VARIABLE);
        return "1".equals(variable) || "true".equalsIgnoreCase(variable) || Boolean.getBoolean(PROPERTY);
    }

    /** Why this build carries no emulator (g++ was missing), or null when it does. */
    public static String notBuiltReason() {
        try (InputStream in = CudaEmulator.class.getClassLoader().getResourceAsStream(NOT_BUILT_MARKER)) {
            if (in != null) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            }
        } catch (IOException e) {
            return "cannot read " + NOT_BUILT_MARKER + ": " + e.getMessage();
        }
        return CudaEmulator.class.getClassLoader().getResource(RESOURCES + LIBRARIES[0]) == null
                ? "the aqlm-kernels jar on the classpath has no CUDA emulator (" + RESOURCES + ")" : null;
    }

    /**
     * Loads the emulated driver into this process (once, before JCuda's binding). Returns null on success, otherwise
     * the reason the emulator cannot be used.
     */
    static String load() {
        String missing = notBuiltReason();
        if (missing != null) {
            return "the CUDA emulator was requested (" + ENVIRONMENT_VARIABLE + "=1) but " + missing;
        }
        try {
            Path directory = Files.createTempDirectory("aqlm-cuda-emulator");
            directory.toFile().deleteOnExit();
            for (String library : LIBRARIES) {
                Path target = directory.resolve(library);
                try (InputStream in = CudaEmulator.class.getClassLoader().getResourceAsStream(RESOURCES + library)) {
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
                target.toFile().deleteOnExit();
            }
            // The host kernel modules are found beside the driver, so they are extracted first and loaded by it.
            System.load(directory.resolve(LIBRARIES[0]).toString());
            return null;
        } catch (IOException | UnsatisfiedLinkError e) {
            return "the CUDA emulator could not be loaded: " + e.getMessage();
        }
    }

    /**
     * Speed is never measured on the emulator: {@code bench} (on a CUDA backend) and {@code gpu-bench} call this first
     * and stop with the reason when the emulator was requested.
     */
    public static void refuseSpeedMeasurement(String command) {
        if (requested()) {
            throw new dev.aqlm.runtime.errors.AqlmException(command + " measures speed, and the CUDA emulator ("
                    + ENVIRONMENT_VARIABLE + "=1) runs the kernels on the CPU: it proves logic, never speed. Unset "
                    + ENVIRONMENT_VARIABLE + " to measure a GPU (bench --backend cpu measures the CPU backend)");
        }
    }

    /** True for a device of the emulator (its name says so). */
    static boolean isEmulatedDeviceName(String name) {
        return name.startsWith("CUDA emulator");
    }
}
