package dev.aqlm.runtime.cuda;

/**
 * Packs codebook indices ([out][group][codebook], already masked) into the device layout of {@link CodeWordFormat}:
 * rows of little-endian words, padded rows and padded groups left zero (index 0, multiplied by zero inputs or never
 * stored). A fused linear places several layers' rows in one buffer, so rows are written at a destination row.
 */
final class PackedCodes {
    private final CodeWordFormat format;
    private final int wordsPerRow;
    private final byte[] bytes;

    public PackedCodes(CodeWordFormat format, int rows, int inFeatures) {
        this.format = format;
        this.wordsPerRow = format.wordsPerRow(inFeatures);
        this.bytes = new byte[Math.multiplyExact(CodeWordFormat.paddedRows(rows), wordsPerRow * format.wordBytes())];
    }

    public int wordsPerRow() {
        return wordsPerRow;
    }

    public byte[] bytes() {
        return bytes;
    }

    /** Masked codebook indices laid out [row][group][codebook] (CodebookIndices::get fits). */
    @FunctionalInterface
    public interface IndexSource {
        int get(int flatIndex);
    }

    /** Writes source row {@code sourceRow} of {@code indices} (with {@code groups} groups) as row {@code row}. */
    public void putRow(int row, IndexSource indices, int sourceRow, int groups) {
        int books = format.codebooks();
        int wordBytes = format.wordBytes();
        int at = row * wordsPerRow * wordBytes;
        for (int g = 0; g < groups; g++, at += wordBytes) {
            long word = 0;
            int first = (sourceRow * groups + g) * books;
            for (int c = 0; c < books; c++) {
                word |= (long) indices.get(first + c) << (c * format.bits());
            }
            for (int b = 0; b < wordBytes; b++) {
                bytes[at + b] = (byte) (word >>> (8 * b));
            }
        }
    }

    /** The index of codebook {@code book} in word (row, group) — the inverse of {@link #putRow}, for tests. */
    public int index(int row, int group, int book) {
        int wordBytes = format.wordBytes();
        int at = (row * wordsPerRow + group) * wordBytes;
        long word = 0;
        for (int b = 0; b < wordBytes; b++) {
            word |= (bytes[at + b] & 0xFFL) << (8 * b);
        }
        return (int) ((word >>> (book * format.bits())) & ((1L << format.bits()) - 1));
    }
}
