package dev.aqlm.spark.executor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * Which GPUs the current task may use. On a cluster the scheduler assigns each task its "gpu" addresses
 * ({@code spark.task.resource.gpu.amount}; N of them for a model split over N tensor-parallel shards); in local mode
 * Spark assigns none (and asking for task GPUs there makes it hang), so the ordinals configured with {@code --device}
 * or {@code --devices} are used.
 */
public final class TaskDevices {
    public static final String GPU_RESOURCE = "gpu";

    private TaskDevices() {
    }

    public static DeviceAssignment forCurrentTask(List<Integer> configuredOrdinals) {
        TaskContext task = TaskContext.get();
        ResourceInformation gpus = task == null ? null : task.resourcesJMap().get(GPU_RESOURCE);
        if (gpus == null || gpus.addresses().length == 0) {
            return new DeviceAssignment(List.of(), configuredOrdinals,
                    task == null ? "outside a Spark task" : "--device/--devices; Spark assigned the task no GPU");
        }
        GpuAddresses mapping = new GpuAddresses();
        List<Integer> ordinals = new ArrayList<>();
        for (String address : gpus.addresses()) {
            ordinals.add(mapping.ordinal(address));
        }
        return new DeviceAssignment(Arrays.asList(gpus.addresses()), ordinals, "task resources, PCI bus order");
    }
}
