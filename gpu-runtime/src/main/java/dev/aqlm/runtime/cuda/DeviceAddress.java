package dev.aqlm.runtime.cuda;

/**
 * A device address: the start of a {@link DeviceBuffer}, or a byte offset into one. Kernel arguments take these rather
 * than bare {@code long}s, so a size or a count cannot be passed where a kernel expects a pointer. {@link #NULL} is
 * the null pointer the kernels test for (an optional bias, "all rows" instead of a row index).
 */
record DeviceAddress(long value) {
    static final DeviceAddress NULL = new DeviceAddress(0);

    /** The address {@code bytes} further on; offsetting the null pointer is a bug, not an address. */
    DeviceAddress plus(long bytes) {
        if (value == 0) {
            throw new IllegalStateException("offset of " + bytes + " bytes from the null device pointer");
        }
        return new DeviceAddress(value + bytes);
    }

    boolean isNull() {
        return value == 0;
    }

    @Override
    public String toString() {
        return "0x" + Long.toHexString(value);
    }
}
