package dev.aqlm.runtime.cuda;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * CUDA ordinals in PCI bus order, the order nvidia-smi and Spark's GPU discovery script use. The driver's own
 * enumeration puts the fastest device first unless CUDA_DEVICE_ORDER=PCI_BUS_ID, so it is re-sorted here.
 */
final class PciBusOrder {
    private PciBusOrder() {
    }

    /** A driver device index and its PCI id ("0000:3b:00.0"). */
    public record Entry(int driverIndex, String pciBusId) {
    }

    /** Driver indices sorted by PCI domain, bus, device, function: element i is the device with ordinal i. */
    public static int[] driverIndicesInBusOrder(List<Entry> devices) {
        return devices.stream()
                .sorted(Comparator.comparing((Entry e) -> normalise(e.pciBusId())).thenComparingInt(Entry::driverIndex))
                .mapToInt(Entry::driverIndex)
                .toArray();
    }

    /** "3B:00.0" and "0000:3b:00.0" compare equal; fields are hexadecimal, so pad them to a fixed width. */
    static String normalise(String pciBusId) {
        String[] parts = pciBusId.trim().toLowerCase(Locale.ROOT).split("[:.]");
        long domain = 0;
        long bus;
        long device;
        long function;
        if (parts.length == 4) {
            domain = Long.parseLong(parts[0], 16);
            bus = Long.parseLong(parts[1], 16);
            device = Long.parseLong(parts[2], 16);
            function = Long.parseLong(parts[3], 16);
        } else if (parts.length == 3) {
            bus = Long.parseLong(parts[0], 16);
            device = Long.parseLong(parts[1], 16);
            function = Long.parseLong(parts[2], 16);
        } else {
            throw new IllegalArgumentException("not a PCI bus id: " + pciBusId);
        }
        return String.format("%08x:%04x:%04x.%04x", domain, bus, device, function);
    }
}
