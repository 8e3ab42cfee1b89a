package dev.aqlm.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aqlm.runtime.PackageGraph;
import dev.aqlm.spark.session.SparkSessions;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.apache.spark.serializer.KryoRegistrator;
import org.junit.jupiter.api.Test;

/** The Spark application's packages form no cycle, and the Kryo registrator they name by text exists. */
class SparkPackageCyclesTest {
    @Test
    void sparkJobPackagesHaveNoCycles() {
        Map<String, Set<String>> uses = PackageGraph.of(Path.of("target/classes"));
        assertThat(uses).as("jdeps found the job's packages").containsKey("dev.aqlm.spark.generate");
        assertThat(PackageGraph.cycles(uses)).as("package cycles").isEmpty();
    }

    @Test
    void theKryoRegistratorNamedByTextIsOne() throws ClassNotFoundException {
        assertThat(KryoRegistrator.class.isAssignableFrom(Class.forName(SparkSessions.KRYO_REGISTRATOR))).isTrue();
    }
}
