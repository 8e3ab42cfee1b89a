package dev.aqlm.runtime.cli;

import dev.aqlm.runtime.engine.GenerationOption;
import dev.aqlm.runtime.engine.GenerationOptions;
import dev.aqlm.runtime.engine.GenerationSettings;
import dev.aqlm.runtime.engine.GenerationValues;
import dev.aqlm.runtime.engine.SamplingParams;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The generation options of the generate commands, one per {@link GenerationOptions} entry: picocli builds this
 * mixin's options from that table (its model transformer), so a new option appears on every command that mixes this in.
 */
@Command(modelTransformer = SamplingOptionsMixin.FromTable.class)
public class SamplingOptionsMixin {
    private GenerationValues values = GenerationValues.DEFAULTS;
    /** Repeatable (list-valued) options collect here until {@link #toValues()}. */
    private final Map<GenerationOption<?>, List<String>> repeated = new LinkedHashMap<>();

    /** What the command line set, checked: each bad value is refused naming its flag. */
    @SuppressWarnings("unchecked") // list-valued options hold lists of strings
    public GenerationValues toValues() {
        GenerationValues result = values;
        for (Map.Entry<GenerationOption<?>, List<String>> entry : repeated.entrySet()) {
            GenerationOption<List<String>> option = (GenerationOption<List<String>>) entry.getKey();
            result = result.with(option, List.copyOf(entry.getValue()), option.flag());
        }
        return result;
    }

    public GenerationSettings toSettings() {
        return toValues().toSettings();
    }

    public SamplingParams toSamplingParams() {
        return toValues().sampling();
    }

    private <T> void set(GenerationOption<T> option, String text) {
        T value;
        try {
            value = option.parse(text);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not " + option.kind());
        }
        values = values.with(option, value, option.flag());
    }

    /** Adds an option per table entry to this mixin's picocli model. */
    public static final class FromTable implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            // picocli runs a mixin's transformer on the command that mixes it in (its @Command attributes carry
            // over), after the mixin's own options were added: the table's options go to that command, bound to the
            // mixin's instance.
            for (CommandSpec mixin : spec.mixins().values()) {
                if (mixin.userObject() instanceof SamplingOptionsMixin sampling
                        && !spec.optionsMap().containsKey(GenerationOptions.ALL.get(0).flag())) {
                    GenerationOptions.ALL.forEach(option -> spec.addOption(optionSpec(option, sampling)));
                }
            }
            return spec;
        }

        private static OptionSpec optionSpec(GenerationOption<?> option, SamplingOptionsMixin mixin) {
            OptionSpec.Builder builder = OptionSpec.builder(option.flag()).description(option.description());
            if (option.type() == Boolean.class) {
                return builder.arity("0").type(boolean.class)
                        .setter(new Setter(value -> mixin.set(option, String.valueOf(value)))).build();
            }
            if (option.type() == List.class) {
                List<String> collected = mixin.repeated.computeIfAbsent(option, key -> new ArrayList<>());
                return builder.type(List.class).auxiliaryTypes(String.class).arity("1")
                        .getter(new Getter(collected))
                        .setter(new Setter(value -> replace(collected, (List<?>) value))).build();
            }
            if (option.defaultValue() != null) {
                builder.description(option.description() + " (default: " + option.defaultValue() + ")");
            }
            // Strings in: the table's parser (not picocli's converters) reads the text, as it reads row overrides.
            return builder.type(String.class).arity("1").paramLabel("<" + option.name() + ">")
                    .setter(new Setter(value -> mixin.set(option, (String) value))).build();
        }
    }

    private static void replace(List<String> target, List<?> values) {
        if (values != target) {
            target.clear();
            values.forEach(value -> target.add((String) value));
        }
    }

    private record Getter(Object value) implements CommandLine.Model.IGetter {
        @Override
        @SuppressWarnings("unchecked")
        public <T> T get() {
            return (T) value;
        }
    }

    private record Setter(java.util.function.Consumer<Object> target) implements CommandLine.Model.ISetter {
        @Override
        @SuppressWarnings("unchecked")
        public <T> T set(T value) {
            if (value != null) {
                target.accept(value);
            }
            return null;
        }
    }
}
