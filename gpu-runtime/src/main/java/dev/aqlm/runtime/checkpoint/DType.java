package dev.aqlm.runtime.checkpoint;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Element types a safetensors header may declare that aqlm-spark reads, spelled as the header spells them. */
public enum DType {
    F16(2), BF16(2), F32(4), I8(1), I16(2), I32(4), I64(8);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    public boolean isFloatingPoint() {
        return this == F16 || this == BF16 || this == F32;
    }

    /** Parses a safetensors dtype name; unknown names fail with the list of supported ones. */
    public static DType fromSafetensors(String name, String where) {
        for (DType type : values()) {
            if (type.name().equals(name)) {
                return type;
            }
        }
        throw new CheckpointException(where + ": unsupported dtype \"" + name + "\" (supported: "
                + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")) + ")");
    }

    /** Parses a Hugging Face {@code torch_dtype} / {@code dtype} value such as "float16". */
    public static DType fromTorchName(String name, String where) {
        return switch (name) {
            case "float16", "half" -> F16;
            case "bfloat16" -> BF16;
            case "float32", "float" -> F32;
            default -> throw new CheckpointException(where + ": unsupported torch dtype \"" + name
                    + "\" (expected float16, bfloat16 or float32)");
        };
    }
}
