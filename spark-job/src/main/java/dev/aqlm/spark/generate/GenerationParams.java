package dev.aqlm.spark.generate;

import dev.aqlm.runtime.engine.GenerationOption;
import dev.aqlm.runtime.engine.GenerationOptions;
import dev.aqlm.runtime.engine.GenerationValues;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.param.StringArrayParam;

/**
 * The Spark ML {@link Param}s of the generation options, one per {@link GenerationOptions} entry, named in camelCase
 * after the option (top_p: topP) and typed after it, with the table's defaults; and the conversion between their
 * values and a {@link GenerationValues}.
 */
final class GenerationParams {
    private final Map<GenerationOption<?>, Param<?>> params = new LinkedHashMap<>();

    GenerationParams(Params owner) {
        for (GenerationOption<?> option : GenerationOptions.ALL) {
            params.put(option, param(owner, option));
        }
    }

    List<Param<?>> all() {
        return new ArrayList<>(params.values());
    }

    /** The table's defaults, for {@code owner.setDefault}. */
    Map<Param<?>, Object> defaults() {
        Map<Param<?>, Object> defaults = new LinkedHashMap<>();
        GenerationOptions.ALL.forEach(option -> {
            if (option.defaultValue() != null) {
                defaults.put(params.get(option), sparkValue(option.defaultValue()));
            }
        });
        return defaults;
    }

    /** Param to value, for {@code owner.set}: every option of {@code values} that is set. */
    Map<Param<?>, Object> of(GenerationValues values) {
        Map<Param<?>, Object> set = new LinkedHashMap<>();
        GenerationOptions.ALL.forEach(option -> {
            Object value = values.get(option);
            if (value != null) {
                set.put(params.get(option), sparkValue(value));
            }
        });
        return set;
    }

    /** The values the owner's params hold (an option that is neither set nor defaulted keeps the table's default). */
    GenerationValues values(Params owner) {
        GenerationValues values = GenerationValues.DEFAULTS;
        for (GenerationOption<?> option : GenerationOptions.ALL) {
            values = withParam(values, option, owner);
        }
        return values;
    }

    @SuppressWarnings("unchecked")
    <T> Param<Object> param(GenerationOption<T> option) {
        return (Param<Object>) params.get(option);
    }

    @SuppressWarnings("unchecked") // the param was made for the option's type
    private <T> GenerationValues withParam(GenerationValues values, GenerationOption<T> option, Params owner) {
        Param<Object> param = param(option);
        if (!owner.isDefined(param)) {
            return values;
        }
        Object value = owner.getOrDefault(param);
        T typed = (T) (option.type() == List.class ? List.of((String[]) value) : value);
        return values.with(option, typed, "param " + param.name());
    }

    private static Object sparkValue(Object value) {
        return value instanceof List<?> list ? list.toArray(new String[0]) : value;
    }

    /** top_p: topP. */
    static String camelCase(String snakeCase) {
        StringBuilder name = new StringBuilder();
        Arrays.stream(snakeCase.split("_")).forEach(part -> name.append(name.length() == 0 ? part
                : Character.toUpperCase(part.charAt(0)) + part.substring(1)));
        return name.toString();
    }

    private static Param<?> param(Params owner, GenerationOption<?> option) {
        String name = camelCase(option.name());
        String doc = option.description();
        Class<?> type = option.type();
        if (type == Double.class) {
            return new DoubleParam(owner, name, doc);
        } else if (type == Integer.class) {
            return new IntParam(owner, name, doc);
        } else if (type == Long.class) {
            return new LongParam(owner, name, doc);
        } else if (type == Boolean.class) {
            return new BooleanParam(owner, name, doc);
        } else if (type == List.class) {
            return new StringArrayParam(owner, name, doc);
        } else if (type == String.class) {
            return new Param<String>(owner, name, doc);
        }
        throw new IllegalStateException("no Spark param type for " + option + " of " + type);
    }
}
