package dev.aqlm.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The cuda package's public surface is what other code uses: every public top-level type of the package is named
 * somewhere outside it (other packages' main and test sources in gpu-runtime and spark-job, the notebooks, the GPU
 * bundle's scripts). Everything else stays package-private, so a reader of the package knows which types are its API.
 * (The other direction, a type used outside but not public, the compiler already refuses.)
 */
class CudaPackageVisibilityTest {
    private static final String PACKAGE_DIR = "dev/aqlm/runtime/cuda/";
    private static final Pattern PUBLIC_TYPE = Pattern.compile(
            "(?m)^public\\s+(?:(?:final|abstract|sealed|non-sealed)\\s+)*(?:class|record|enum|interface)\\s+(\\w+)");

    private static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("spark-job")) && Files.isDirectory(dir.resolve("gpu-runtime"))) {
                return dir;
            }
        }
        throw new IllegalStateException("the repository root (with gpu-runtime and spark-job) is not above "
                + Path.of("").toAbsolutePath());
    }

    private static List<Path> filesUnder(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every source and script outside the cuda package that could name one of its types, comments removed. */
    private static String outsideThePackage(Path root) {
        List<Path> files = new ArrayList<>();
        files.addAll(filesUnder(root.resolve("gpu-runtime/src")));
        files.addAll(filesUnder(root.resolve("spark-job/src")));
        files.addAll(filesUnder(root.resolve("notebooks")));
        files.addAll(filesUnder(root.resolve("gpu-bundle")));
        StringBuilder text = new StringBuilder();
        for (Path file : files) {
            String path = file.toString().replace('\\', '/');
            if (path.contains("/" + PACKAGE_DIR) || path.contains("/target/")) {
                continue;
            }
            String source = read(file);
            if (path.endsWith(".java")) {
                source = source.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\n]*", " ");
            }
            text.append(source).append('\n');
        }
        return text.toString();
    }

    @Test
    void everyPublicTypeIsUsedOutsideThePackage() {
        Path root = root();
        Set<String> publicTypes = new TreeSet<>();
        for (Path file : filesUnder(root.resolve("gpu-runtime/src/main/java/" + PACKAGE_DIR))) {
            Matcher m = PUBLIC_TYPE.matcher(read(file));
            while (m.find()) {
                publicTypes.add(m.group(1));
            }
        }
        assertTrue(publicTypes.contains("CudaBackend"), "public types found: " + publicTypes);
        String outside = outsideThePackage(root);
        List<String> unused = publicTypes.stream()
                .filter(type -> !Pattern.compile("\\b" + type + "\\b").matcher(outside).find())
                .toList();
        assertEquals(List.of(), unused, "public types of dev.aqlm.runtime.cuda that nothing outside the package uses;"
                + " make them package-private");
    }
}
