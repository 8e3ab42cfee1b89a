package dev.aqlm.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The runtime's packages form no cycle (jdeps reads which package uses which). */
class PackageCyclesTest {
    @Test
    void runtimePackagesHaveNoCycles() {
        Map<String, Set<String>> uses = PackageGraph.of(Path.of("target/classes"));
        assertThat(uses).as("jdeps found the runtime's packages").containsKey("dev.aqlm.runtime.engine");
        assertThat(PackageGraph.cycles(uses)).as("package cycles").isEmpty();
    }

    @Test
    void aCycleIsFound() { // the check itself can fail
        Map<String, Set<String>> uses = new TreeMap<>(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"),
                "d", Set.of("a")));
        assertThat(PackageGraph.cycles(uses)).containsExactly(List.of("a", "b", "c"));
    }
}
