package dev.aqlm.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every kernel launch written in Java passes exactly the parameters its extern "C" kernel declares: as many, in the
 * same order, each of the same width. cuLaunchKernel copies each parameter from the host by the size the kernel
 * declares, so an int passed where a long long is expected (or a missing argument) is not an error: the kernel reads
 * garbage. This test needs no GPU: it expands the kernel sources' function-like macros to find every extern "C"
 * signature, and reads each {@code launch(NAME, geometry, new KernelArgs().pointer(..).i32(..)..., what)} in
 * {@link Kernels}, the one class that builds kernel arguments (a check below keeps it the only one).
 */
class KernelLaunchSignatureTest {
    /** A kernel parameter (or a KernelArgs entry) by what cuLaunchKernel copies for it. */
    enum Kind { POINTER, I32, I64, F32, STRUCT }

    private static Path above(String relative) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(relative);
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(relative + " not found above the working directory");
    }

    private static List<Path> files(Path dir, String suffix) throws IOException {
        try (Stream<Path> stream = Files.list(dir)) {
            return stream.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
        }
    }

    // ---- The CUDA side ----

    /** The parameter kinds of every extern "C" kernel in kernels/src/main/cuda, by name. */
    static Map<String, List<Kind>> kernelSignatures() throws IOException {
        Map<String, List<Kind>> kernels = new LinkedHashMap<>();
        for (Path file : files(above("kernels/src/main/cuda"), ".cu")) {
            String source = expandMacros(stripComments(Files.readString(file).replace("\\\r\n", " ")
                    .replace("\\\n", " ")));
            Matcher m = Pattern.compile("extern\\s+\"C\"\\s+__global__\\s+void\\s+(?:__launch_bounds__\\s*\\([^)]*\\)\\s*)?"
                    + "(\\w+)\\s*\\(([^)]*)\\)").matcher(source);
            while (m.find()) {
                List<Kind> kinds = new ArrayList<>();
                for (String parameter : splitTopLevel(m.group(2))) {
                    kinds.add(cudaKind(parameter.trim(), m.group(1)));
                }
                assertTrue(kernels.put(m.group(1), kinds) == null, "kernel " + m.group(1) + " defined twice");
            }
        }
        return kernels;
    }

    private static Kind cudaKind(String parameter, String kernel) {
        if (parameter.contains("*")) {
            return Kind.POINTER;
        }
        String type = parameter.replaceAll("\\s+\\w+$", "").replace("const ", "").replaceAll("\\s+", " ").trim();
        return switch (type) {
            case "int", "unsigned int" -> Kind.I32;
            case "long long", "unsigned long long" -> Kind.I64;
            case "float" -> Kind.F32;
            case "aqlm::LinearArgs", "aqlm::ExchangeArgs", "aqlm::KvCacheView" -> Kind.STRUCT;
            default -> throw new AssertionError(kernel + ": parameter type '" + type + "' has no KernelArgs entry"
                    + " in this test; add one that matches its size");
        };
    }

    /** Removes comments, keeping their line breaks (so line numbers in messages stay right). */
    private static String stripComments(String source) {
        Matcher block = Pattern.compile("(?s)/\\*.*?\\*/").matcher(source);
        StringBuilder out = new StringBuilder();
        while (block.find()) {
            block.appendReplacement(out, " " + block.group().replaceAll("[^\n]", ""));
        }
        block.appendTail(out);
        return out.toString().replaceAll("//[^\n]*", "");
    }

    private record Macro(List<String> parameters, String body) {
    }

    /** Expands the function-like macros the kernel sources define (with ## pasting), until none is left. */
    static String expandMacros(String source) {
        Map<String, Macro> macros = new LinkedHashMap<>();
        StringBuilder rest = new StringBuilder();
        Pattern define = Pattern.compile("#define\\s+(\\w+)\\(([^)]*)\\)(.*)");
        for (String line : source.split("\n")) {
            Matcher m = define.matcher(line.trim());
            if (m.matches()) {
                List<String> parameters = splitTopLevel(m.group(2)).stream().map(String::trim).toList();
                macros.put(m.group(1), new Macro(parameters, m.group(3)));
            } else if (!line.trim().startsWith("#")) {
                rest.append(line).append('\n');
            }
        }
        String text = rest.toString();
        for (int round = 0; round < 10; round++) {
            String expanded = expandOnce(text, macros);
            if (expanded.equals(text)) {
                return text;
            }
            text = expanded;
        }
        throw new AssertionError("macros still expanding after 10 rounds");
    }

    private static String expandOnce(String text, Map<String, Macro> macros) {
        Matcher m = Pattern.compile("\\b(\\w+)\\s*\\(").matcher(text);
        StringBuilder out = new StringBuilder();
        int copied = 0;
        while (m.find()) {
            Macro macro = macros.get(m.group(1));
            if (macro == null || m.start() < copied) {
                continue;
            }
            int close = closingParen(text, m.end() - 1);
            List<String> arguments = splitTopLevel(text.substring(m.end(), close)).stream().map(String::trim).toList();
            assertEquals(macro.parameters().size(), arguments.size(), "arguments of " + m.group(1));
            String body = macro.body();
            for (int i = 0; i < arguments.size(); i++) {
                body = body.replaceAll("\\b" + Pattern.quote(macro.parameters().get(i)) + "\\b",
                        Matcher.quoteReplacement(arguments.get(i)));
            }
            out.append(text, copied, m.start()).append(body.replaceAll("\\s*##\\s*", ""));
            copied = close + 1;
        }
        return out.append(text.substring(copied)).toString();
    }

    /** The index of the parenthesis closing the one at {@code open}. */
    static int closingParen(String text, int open) {
        int depth = 0;
        for (int i = open; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i;
            }
        }
        throw new AssertionError("unbalanced parentheses at " + text.substring(open, Math.min(text.length(), open + 80)));
    }

    /** Splits at commas outside parentheses and angle brackets; an empty list for blank text. */
    static List<String> splitTopLevel(String text) {
        List<String> parts = new ArrayList<>();
        if (text.isBlank()) {
            return parts;
        }
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(' || c == '<') {
                depth++;
            } else if (c == ')' || c == '>') {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(text.substring(start));
        return parts;
    }

    // ---- The Java side ----

    /** One {@code launch(NAME, geometry, new KernelArgs()..., what)} in {@link Kernels}. */
    record Launch(String where, String nameExpression, List<Kind> arguments) {
    }

    private static final String KERNELS_FILE = Kernels.class.getSimpleName() + ".java";

    /** The launches of {@link Kernels}, the one class that builds kernel arguments. */
    static List<Launch> javaLaunches() throws IOException {
        Path file = above("gpu-runtime/src/main/java/dev/aqlm/runtime/cuda").resolve(KERNELS_FILE);
        String source = stripComments(Files.readString(file));
        List<Launch> launches = new ArrayList<>();
        Matcher m = Pattern.compile("\\blaunch(\\()\\s*KernelNames\\.").matcher(source);
        while (m.find()) {
            String arguments = source.substring(m.end(1), closingParen(source, m.start(1)));
            String name = splitTopLevel(arguments).get(0).trim();
            String where = KERNELS_FILE + ":" + (1 + count(source.substring(0, m.start()), "\n"));
            int at = arguments.indexOf("new KernelArgs()");
            assertTrue(at >= 0, where + ": the launch must build its KernelArgs inline so this test can read them");
            launches.add(new Launch(where, name, kinds(arguments.substring(at + "new KernelArgs()".length()), where)));
        }
        assertEquals(count(source, "new KernelArgs()"), launches.size(), KERNELS_FILE + ": every new KernelArgs() must"
                + " be built inside a launch(KernelNames..., geometry, new KernelArgs()..., what) call");
        return launches;
    }

    /**
     * Kernel arguments are built in {@link Kernels} only: elsewhere in the cuda package's main and test sources no
     * {@code new KernelArgs()} and no {@code kernel(...).launch(...)}, so this test sees every launch there is.
     */
    @Test
    void kernelArgumentsAreBuiltOnlyInKernels() throws IOException {
        List<Path> sources = new ArrayList<>(files(above("gpu-runtime/src/main/java/dev/aqlm/runtime/cuda"), ".java"));
        sources.addAll(files(above("gpu-runtime/src/test/java/dev/aqlm/runtime/cuda"), ".java"));
        List<String> offenders = new ArrayList<>();
        for (Path path : sources) {
            String name = path.getFileName().toString();
            if (name.equals(KERNELS_FILE) || name.equals(KernelLaunchSignatureTest.class.getSimpleName() + ".java")) {
                continue;
            }
            String source = stripComments(Files.readString(path));
            if (source.contains("new KernelArgs()") || Pattern.compile("\\.kernel\\([^;]*?\\)\\s*\\.launch\\(")
                    .matcher(source).find()) {
                offenders.add(name);
            }
        }
        assertEquals(List.of(), offenders, "launch these through a typed method of Kernels");
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    /** The kinds of a chain ".pointer(a).i32(b)..." (stops at the first text that is not a KernelArgs call). */
    private static List<Kind> kinds(String chain, String where) {
        List<Kind> kinds = new ArrayList<>();
        Matcher call = Pattern.compile("\\s*\\.(\\w+)\\(").matcher(chain);
        int at = 0;
        while (call.find(at) && call.start() == at) {
            Kind kind = switch (call.group(1)) {
                case "pointer" -> Kind.POINTER;
                case "i32" -> Kind.I32;
                case "i64" -> Kind.I64;
                case "f32" -> Kind.F32;
                case "struct" -> Kind.STRUCT;
                default -> null;
            };
            if (kind == null) {
                break;
            }
            kinds.add(kind);
            at = closingParen(chain, call.end() - 1) + 1;
        }
        assertFalse(kinds.isEmpty(), where + ": no KernelArgs entries read");
        return kinds;
    }

    /** The kernel names a launch's name expression can take (every activation type, every linear variant). */
    static Set<String> resolve(String expression) throws ReflectiveOperationException {
        Matcher constant = Pattern.compile("KernelNames\\.([A-Z_0-9]+)").matcher(expression);
        if (constant.matches()) {
            Field field = KernelNames.class.getField(constant.group(1));
            return Set.of((String) field.get(null));
        }
        Matcher call = Pattern.compile("KernelNames\\.(\\w+)\\(.*\\)").matcher(expression);
        assertTrue(call.matches(), "kernel name '" + expression + "' is not a KernelNames constant or method call");
        if (call.group(1).equals("linear")) {
            return KernelNames.all().stream().filter(n -> n.startsWith("linear_")).collect(Collectors.toSet());
        }
        // A method of enum parameters only (the activation type, the KV cache's code width): every combination.
        Method method = Arrays.stream(KernelNames.class.getMethods()).filter(m -> m.getName().equals(call.group(1)))
                .findFirst().orElseThrow(() -> new AssertionError("no KernelNames." + call.group(1)));
        List<Object[]> combinations = new ArrayList<>();
        combinations.add(new Object[0]);
        for (Class<?> parameter : method.getParameterTypes()) {
            assertTrue(parameter.isEnum(), method + ": only enum parameters can be enumerated");
            List<Object[]> longer = new ArrayList<>();
            for (Object[] prefix : combinations) {
                for (Object value : parameter.getEnumConstants()) {
                    Object[] next = Arrays.copyOf(prefix, prefix.length + 1);
                    next[prefix.length] = value;
                    longer.add(next);
                }
            }
            combinations = longer;
        }
        Set<String> names = new TreeSet<>();
        for (Object[] arguments : combinations) {
            names.add((String) method.invoke(null, arguments));
        }
        return names;
    }

    // ---- The checks ----

    @Test
    void everyKernelTheRuntimeNamesIsDeclaredInTheSources() throws IOException {
        Map<String, List<Kind>> kernels = kernelSignatures();
        for (String name : KernelNames.all()) {
            assertTrue(kernels.containsKey(name), name + " has no extern \"C\" definition in kernels/src/main/cuda");
        }
        assertEquals(KernelNames.all().size(), kernels.size(), "kernels the runtime never names: "
                + kernels.keySet().stream().filter(n -> !KernelNames.all().contains(n)).toList());
    }

    @Test
    void macroExpansionFindsTheSignaturesAsWritten() throws IOException {
        Map<String, List<Kind>> kernels = kernelSignatures();
        List<Kind> decode = List.of(Kind.POINTER, Kind.I64, Kind.STRUCT, Kind.POINTER, Kind.POINTER, Kind.POINTER,
                Kind.POINTER, Kind.I32, Kind.I32, Kind.I32, Kind.I32, Kind.I32, Kind.F32);
        assertEquals(decode, kernels.get("attention_decode_bf16"));
        assertEquals(decode, kernels.get("attention_decode_f16_kv2"), "one template, one signature for every format");
        assertEquals(List.of(Kind.STRUCT), kernels.get("linear_f16_w8_large"));
        assertEquals(List.of(Kind.POINTER, Kind.I64, Kind.I64, Kind.F32), kernels.get("fill_random_f16"));
        assertEquals(List.of(Kind.POINTER, Kind.I32, Kind.I32, Kind.I32, Kind.POINTER, Kind.POINTER, Kind.POINTER,
                Kind.POINTER, Kind.POINTER), kernels.get("moe_route"));
    }

    @Test
    void everyJavaLaunchPassesTheKernelsParameterKindsInOrder() throws Exception {
        Map<String, List<Kind>> kernels = kernelSignatures();
        List<Launch> launches = javaLaunches();
        assertTrue(launches.size() >= 13, "launch sites found: " + launches.size());
        Set<String> launched = new TreeSet<>();
        List<String> mismatches = new ArrayList<>();
        for (Launch launch : launches) {
            for (String name : resolve(launch.nameExpression())) {
                launched.add(name);
                List<Kind> declared = kernels.get(name);
                if (declared == null) {
                    mismatches.add(launch.where() + ": " + name + " is not defined in the kernel sources");
                } else if (!declared.equals(launch.arguments())) {
                    mismatches.add(launch.where() + ": " + name + " declares " + declared + ", the launch passes "
                            + launch.arguments());
                }
            }
        }
        if (!mismatches.isEmpty()) {
            fail(String.join("\n", mismatches));
        }
        assertEquals(new TreeSet<>(KernelNames.all()), launched, "every kernel the runtime names is launched somewhere");
    }
}
