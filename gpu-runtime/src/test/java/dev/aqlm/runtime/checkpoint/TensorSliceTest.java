package dev.aqlm.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Slices of a mapped tensor (tensor-parallel shard views) read the same values as slicing the whole tensor. */
class TensorSliceTest {
    private static final int ROWS = 7;
    private static final int COLUMNS = 10;

    /** A [7][10] int32 tensor whose element (r, c) is 100·r + c, in a file of its own. */
    private static FileChannel matrixFile(Path directory) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(ROWS * COLUMNS * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < ROWS; r++) {
            for (int c = 0; c < COLUMNS; c++) {
                bytes.putInt(100 * r + c);
            }
        }
        Path file = directory.resolve("matrix.bin");
        Files.write(file, bytes.array());
        return FileChannel.open(file, StandardOpenOption.READ);
    }

    private static TensorData matrix(FileChannel channel, Path directory) {
        TensorInfo info = new TensorInfo(directory.resolve("matrix.bin"), "m", DType.I32, new long[] {ROWS, COLUMNS},
                0, ROWS * COLUMNS * 4);
        return new TensorData(info, new FileRegion(channel, 0, info.byteLength()));
    }

    private static int[] expected(int rowFrom, int rowTo, int columnFrom, int columnTo) {
        int[] values = new int[(rowTo - rowFrom) * (columnTo - columnFrom)];
        int i = 0;
        for (int r = rowFrom; r < rowTo; r++) {
            for (int c = columnFrom; c < columnTo; c++) {
                values[i++] = 100 * r + c;
            }
        }
        return values;
    }

    @Test
    void rowAndColumnSlicesReadTheirElements(@TempDir Path directory) throws IOException {
        try (FileChannel channel = matrixFile(directory)) {
            TensorData matrix = matrix(channel, directory);
            assertArrayEquals(expected(2, 5, 0, COLUMNS), matrix.slice(0, 2, 5).toInts());
            assertArrayEquals(expected(0, ROWS, 3, 8), matrix.slice(1, 3, 8).toInts());
            assertArrayEquals(new long[] {ROWS, 5}, matrix.slice(1, 3, 8).shape());
            assertArrayEquals(expected(1, 3, 3, 8), matrix.slice(1, 3, 8).slice(0, 1, 3).toInts());
        }
    }

    @Test
    void columnSlicesSpanningManyWindowsReadEveryPiece(@TempDir Path directory) throws IOException {
        try (FileChannel channel = matrixFile(directory)) {
            FileRegion whole = new FileRegion(channel, 0, ROWS * COLUMNS * 4);
            // Columns [3, 8): 20-byte pieces every 40 bytes; 64-byte windows hold two pieces, so rows arrive in 4 maps.
            StridedRegion columns = new StridedRegion(whole, 12, 20, 40, ROWS, 64);
            ByteBuffer read = columns.map(4, (int) columns.length() - 8); // starts and ends inside a piece
            int[] values = new int[read.remaining() / 4];
            read.asIntBuffer().get(values);
            int[] all = expected(0, ROWS, 3, 8);
            assertArrayEquals(java.util.Arrays.copyOfRange(all, 1, all.length - 1), values);
        }
    }

    @Test
    void aSliceOutsideTheTensorIsRefused(@TempDir Path directory) throws IOException {
        try (FileChannel channel = matrixFile(directory)) {
            TensorData matrix = matrix(channel, directory);
            assertThrows(IllegalArgumentException.class, () -> matrix.slice(1, 8, 11));
            assertThrows(IllegalArgumentException.class, () -> matrix.slice(2, 0, 1));
        }
    }
}
