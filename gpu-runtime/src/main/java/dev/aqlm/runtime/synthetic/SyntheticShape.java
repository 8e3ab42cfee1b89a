package dev.aqlm.runtime.synthetic;

import dev.aqlm.runtime.errors.AqlmException;
import java.util.Locale;

/**
 * The dimensions of a synthetic Llama-family model. Named presets cover the demo, the tests and the benchmark shapes;
 * any other shape can be given dimension by dimension.
 */
public record SyntheticShape(int layers, int hidden, int intermediate, int heads, int kvHeads, int vocab,
                             int maxPositions) {

    /** Llama-2-7B: 32 layers, 4096 hidden, 11008 intermediate, 32 heads, vocab 32000, 4096 positions. */
    public static final SyntheticShape LLAMA_2_7B = new SyntheticShape(32, 4096, 11008, 32, 32, 32000, 4096);
    /** A mid-size model for CPU benchmarks: big enough that weights, not overheads, dominate. */
    public static final SyntheticShape MID = new SyntheticShape(8, 1024, 2816, 16, 8, 8192, 2048);
    /** The demo model: quick to write and to run on any laptop. */
    public static final SyntheticShape SMALL = new SyntheticShape(4, 256, 768, 8, 4, 2048, 1024);
    /** The fixtures' tiny shape. */
    public static final SyntheticShape TINY = new SyntheticShape(2, 128, 384, 4, 2, 512, 512);

    public SyntheticShape {
        if (layers < 1 || hidden < 1 || intermediate < 1 || heads < 1 || kvHeads < 1 || vocab < 1 || maxPositions < 1) {
            throw new AqlmException("every dimension of a synthetic shape must be positive");
        }
        if (hidden % heads != 0 || heads % kvHeads != 0 || (hidden / heads) % 2 != 0) {
            throw new AqlmException("hidden " + hidden + " must split into " + heads + " heads of even size, and "
                    + heads + " heads into " + kvHeads + " key/value heads");
        }
    }

    public int headDim() {
        return hidden / heads;
    }

    public static SyntheticShape preset(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "llama-2-7b", "7b" -> LLAMA_2_7B;
            case "mid" -> MID;
            case "small" -> SMALL;
            case "tiny" -> TINY;
            default -> throw new AqlmException("unknown shape preset '" + name
                    + "'; the presets are llama-2-7b, mid, small and tiny");
        };
    }
}
