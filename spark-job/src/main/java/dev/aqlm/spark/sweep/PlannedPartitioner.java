package dev.aqlm.spark.sweep;

import java.util.Arrays;
import org.apache.spark.Partitioner;

/**
 * Sends each request to the partition the driver planned for it. Requests are keyed by their position in the plan
 * (partition 0's requests first, each partition's in scoring order), so a partition is a range of keys, and sorting
 * by key inside a partition restores the planned order after the shuffle.
 */
final class PlannedPartitioner extends Partitioner {
    private static final long serialVersionUID = 1L;

    /** The first key of each partition; ascending. */
    private final long[] firstKeys;

    PlannedPartitioner(long[] firstKeys) {
        this.firstKeys = firstKeys.clone();
    }

    /** Key ranges of partitions with these sizes, in order. */
    static PlannedPartitioner ofSizes(int[] sizes) {
        long[] first = new long[sizes.length];
        long next = 0;
        for (int p = 0; p < sizes.length; p++) {
            first[p] = next;
            next += sizes[p];
        }
        return new PlannedPartitioner(first);
    }

    @Override
    public int numPartitions() {
        return firstKeys.length;
    }

    @Override
    public int getPartition(Object key) {
        int found = Arrays.binarySearch(firstKeys, (Long) key);
        // An empty partition shares its first key with the next one: the last of equal keys owns the range.
        if (found >= 0) {
            while (found + 1 < firstKeys.length && firstKeys[found + 1] == firstKeys[found]) {
                found++;
            }
            return found;
        }
        return -found - 2;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PlannedPartitioner that && Arrays.equals(firstKeys, that.firstKeys);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(firstKeys);
    }
}
