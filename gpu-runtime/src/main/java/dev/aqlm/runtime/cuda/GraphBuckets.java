package dev.aqlm.runtime.cuda;

import java.util.ArrayList;
import java.util.List;

/**
 * Batch sizes with captured step graphs: powers of two up to the first one that holds every slot. A step of n
 * sequences replays a graph of the smallest bucket of at least n sequences ({@link GraphStep}); the extra sequences'
 * rows decode a dummy token in the scratch slot.
 */
final class GraphBuckets {
    private final int[] sizes;

    public GraphBuckets(int slots) {
        if (slots < 1) {
            throw new IllegalArgumentException("slots must be positive, got " + slots);
        }
        List<Integer> list = new ArrayList<>();
        int size = 1;
        while (true) {
            list.add(size);
            if (size >= slots) {
                break;
            }
            size *= 2;
        }
        this.sizes = list.stream().mapToInt(Integer::intValue).toArray();
    }

    public int[] sizes() {
        return sizes.clone();
    }

    public int largest() {
        return sizes[sizes.length - 1];
    }

    /** The smallest bucket holding {@code rows} rows. */
    public int bucketFor(int rows) {
        for (int size : sizes) {
            if (size >= rows) {
                return size;
            }
        }
        throw new IllegalArgumentException(rows + " rows exceed the largest decode bucket " + largest());
    }
}
