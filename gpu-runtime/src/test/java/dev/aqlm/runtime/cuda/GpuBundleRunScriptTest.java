package dev.aqlm.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gpu-bundle/run passes the right options to JUnit's console launcher. The launcher refuses "--scan-class-path" together
 * with explicit selectors, and the first step on a GPU (kernels/NOTES.md) is a run with --select-class, so the script
 * may scan the tests jar only when the caller selected nothing. The script runs here against a stand-in "java" that
 * prints its arguments.
 */
class GpuBundleRunScriptTest {
    @TempDir
    Path bundle;

    private static Path runScript() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("gpu-bundle/run");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("gpu-bundle/run not found above the working directory");
    }

    /** The arguments the script hands to java for {@code args}. */
    private List<String> javaArguments(String... args) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "needs bash");
        Files.copy(runScript(), bundle.resolve("run"));
        Path cache = bundle.resolve(".unpacked");
        Files.createDirectories(cache.resolve("runtime/bin"));
        Files.createFile(cache.resolve("runtime.done"));
        Files.createFile(cache.resolve("fixtures.done"));
        Path java = cache.resolve("runtime/bin/java");
        Files.writeString(java, "#!/bin/bash\nprintf '%s\\n' \"$@\"\n");
        assertTrue(java.toFile().setExecutable(true));
        Files.createDirectories(bundle.resolve("lib"));
        Files.createFile(bundle.resolve("lib/aqlm-gpu-runtime-tests.jar"));
        List<String> command = new ArrayList<>(List.of("/bin/bash", bundle.resolve("run").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("AQLM_BUNDLE_CACHE");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output);
        return output.lines().toList();
    }

    @Test
    void gpuTestsWithASelectedClassDoNotAlsoScanTheClassPath() throws Exception {
        List<String> args = javaArguments("gpu-tests", "--select-class", "dev.aqlm.runtime.cuda.CudaCopyOrderingTest");
        assertFalse(args.contains("--scan-class-path"), args.toString());
        assertTrue(args.containsAll(List.of("--select-class", "dev.aqlm.runtime.cuda.CudaCopyOrderingTest")));
        int tag = args.indexOf("--include-tag");
        assertTrue(tag >= 0 && args.get(tag + 1).equals("gpu"), args.toString());
    }

    @Test
    void shortSelectorsAlsoTurnScanningOff() throws Exception {
        assertFalse(javaArguments("all-tests", "-m", "dev.aqlm.runtime.cuda.CudaLinearKernelTest#aqlm2x8And1x8")
                .contains("--scan-class-path"));
    }

    @Test
    void gpuTestsWithoutSelectorsScanTheTestsJar() throws Exception {
        List<String> args = javaArguments("gpu-tests");
        int scan = args.indexOf("--scan-class-path");
        assertTrue(scan >= 0, args.toString());
        assertTrue(args.get(scan + 1).endsWith("lib/aqlm-gpu-runtime-tests.jar"), args.toString());
        assertTrue(args.contains("--include-tag"));
    }

    /** The notebook test needs jdk.jshell and the tokenizer goldens fixtures/tokenizers, neither of which is carried. */
    @Test
    void allTestsLeaveOutTheClassesTheBundleCannotRun() throws Exception {
        List<String> args = javaArguments("all-tests");
        int exclude = args.indexOf("--exclude-classname");
        assertTrue(exclude >= 0, args.toString());
        String pattern = args.get(exclude + 1);
        assertTrue("dev.aqlm.runtime.notebook.JupyterNotebookTest".matches(pattern), pattern);
        assertTrue("dev.aqlm.runtime.tokenizer.TokenizerGoldenTest".matches(pattern), pattern);
        assertFalse("dev.aqlm.runtime.cuda.CudaLinearKernelTest".matches(pattern), pattern);
        assertFalse(args.contains("--include-tag"), args.toString());
    }
}
