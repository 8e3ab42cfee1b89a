package dev.aqlm.runtime.engine;

import java.math.BigDecimal;
import java.util.List;
import java.util.function.Function;

/**
 * One generation option, described once: its name (the row-override column, the output column and the resume
 * fingerprint key all use it), its command-line flag, its default, how text becomes a value, what values it takes,
 * and where it appears. {@link GenerationOptions} lists them; everything that offers generation settings (the CLI,
 * {@code GenerationSpec}, row overrides, the output schema, {@code JobFingerprint}) derives from that list.
 *
 * @param <T> the value's type: Double, Integer, Long, Boolean, String or List (of String)
 */
public final class GenerationOption<T> {
    /** Where an option appears beside the CLI and the builders. */
    public enum Use { ROW_OVERRIDE, OUTPUT_COLUMN, FINGERPRINT }

    private final String name;
    private final String flag;
    private final Class<T> type;
    private final T defaultValue;
    private final String description;
    private final Function<String, T> parser;
    private final Function<T, String> problem;
    private final List<Use> uses;

    /**
     * @param problem what is wrong with a value ("must be in (0, 1]"), or null when it is valid
     */
    GenerationOption(String name, String flag, Class<T> type, T defaultValue, String description,
                     Function<String, T> parser, Function<T, String> problem, Use... uses) {
        this.name = name;
        this.flag = flag;
        this.type = type;
        this.defaultValue = defaultValue;
        this.description = description;
        this.parser = parser;
        this.problem = problem;
        this.uses = List.of(uses);
    }

    /** snake_case: the row-override column, the output column and the fingerprint key. */
    public String name() {
        return name;
    }

    /** The command-line flag, e.g. {@code --top-p}. */
    public String flag() {
        return flag;
    }

    public Class<T> type() {
        return type;
    }

    /**
     * The value when nobody sets it; null for an option that is absent unless given (temperature: see
     * {@link GenerationValues#temperature()}; the speculation options: {@link GenerationValues#speculation()}).
     */
    public T defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    public boolean has(Use use) {
        return uses.contains(use);
    }

    /** What a value looks like, for the error a text that is none gets: "a number", "an integer". */
    public String kind() {
        return type == Double.class ? "a number" : type == Boolean.class ? "true or false"
                : type == List.class || type == String.class ? "text" : "an integer";
    }

    /** A value from text (a CLI argument, a row's column); NumberFormatException/ArithmeticException when it is none. */
    public T parse(String text) {
        return parser.apply(text.strip());
    }

    /** Refuses an out-of-range value with a message that starts with {@code label} (a flag, column or field name). */
    public T requireValid(T value, String label) {
        String why = value == null ? null : problem.apply(value);
        if (why != null) {
            throw new InvalidRequestException(label + " " + why + ", got " + text(value));
        }
        return value;
    }

    /** The value as the fingerprint stores it. */
    public String text(T value) {
        return value instanceof List<?> list ? String.join("\u241F", list.stream().map(String::valueOf).toList())
                : String.valueOf(value);
    }

    @SuppressWarnings("unchecked")
    T cast(Object value) {
        return (T) value;
    }

    @Override
    public String toString() {
        return name;
    }

    /**
     * A whole number written in any notation: schema inference types a column by all its values, so one 8.5 makes
     * every 8 read as "8.0"; a real fraction is refused.
     */
    static BigDecimal integral(String text) {
        BigDecimal value = new BigDecimal(text);
        if (value.signum() != 0 && value.stripTrailingZeros().scale() > 0) {
            throw new NumberFormatException("fraction");
        }
        return value;
    }
}
