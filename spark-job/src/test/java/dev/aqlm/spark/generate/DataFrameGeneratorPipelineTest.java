package dev.aqlm.spark.generate;

import dev.aqlm.runtime.generation.GeneratedRow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aqlm.runtime.engine.GenerationOptions;
import dev.aqlm.runtime.errors.AqlmException;
import dev.aqlm.spark.session.SparkSessions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generator as a Spark ML stage on local Spark: in a Pipeline, saved and loaded, with the same rows. */
class DataFrameGeneratorPipelineTest {
    private static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = SparkSessions.getOrCreate("DataFrameGeneratorPipelineTest", "local[2]", Map.of());
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    private static Dataset<Row> questions() {
        return spark.createDataFrame(List.of(RowFactory.create("q1", "France"), RowFactory.create("q2", "Spain"),
                RowFactory.create("q3", "Italy")), new StructType().add("id", "string").add("country", "string"));
    }

    private static GenerationSpec spec() {
        return new JobSpecs().generationSpec().promptColumn("prompt").minP(0.1).topK(20).build();
    }

    @Test
    void aPipelineWithTheGeneratorStageRunsAndSavesAndLoads(@TempDir Path dir) throws Exception {
        // A preceding stage writes the prompt column, as a real pipeline's feature stages would.
        SQLTransformer template = new SQLTransformer()
                .setStatement("SELECT id, concat('The capital of ', country, ' is') AS prompt FROM __THIS__");
        DataFrameGenerator generator = new DataFrameGenerator().setSpec(spec());
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {template, generator});

        PipelineModel fitted = pipeline.fit(questions());
        Dataset<Row> out = fitted.transform(questions());
        assertThat(out.schema()).isEqualTo(GeneratedRows.SCHEMA);
        Map<String, String> completions = completions(out);
        assertThat(completions).containsOnlyKeys("q1", "q2", "q3");
        assertThat(completions.values()).allSatisfy(text -> assertThat(text).isNotEmpty());
        assertThat(out.collectAsList()).allSatisfy(row -> {
            assertThat((Object) row.getAs(GeneratedRow.ERROR)).isNull();
            assertThat((double) row.getAs("min_p")).isEqualTo(0.1);
        });

        String stagePath = dir.resolve("generator").toString();
        generator.write().save(stagePath);
        DataFrameGenerator loaded = DataFrameGenerator.load(stagePath);
        assertThat(loaded.uid()).isEqualTo(generator.uid());
        assertThat(loaded.spec()).as("every param survives").usingRecursiveComparison().isEqualTo(generator.spec());

        String modelPath = dir.resolve("pipeline").toString();
        fitted.write().save(modelPath);
        PipelineModel reloaded = PipelineModel.load(modelPath);
        assertThat(reloaded.stages()[1]).isInstanceOf(DataFrameGenerator.class);
        assertThat(completions(reloaded.transform(questions()))).as("the same rows after loading").isEqualTo(completions);
    }

    @Test
    void paramsAreTheGenerationOptionsAndBadValuesAreRefused() {
        DataFrameGenerator generator = new DataFrameGenerator();
        assertThat(generator.hasParam("minP")).isTrue();
        assertThat(generator.hasParam("maxNewTokens")).isTrue();
        assertThat(generator.getDefault(generator.getParam("maxNewTokens")).get())
                .isEqualTo(GenerationOptions.MAX_NEW_TOKENS.defaultValue());
        assertThatThrownBy(generator::spec).isInstanceOf(AqlmException.class).hasMessageContaining("no model");
        generator.setSpec(spec());
        generator.setOption(GenerationOptions.MIN_P, 0.2);
        assertThat(generator.spec().defaults().values().get(GenerationOptions.MIN_P)).isEqualTo(0.2);
        assertThat(generator.getOrDefault(generator.getParam("minP"))).isEqualTo(0.2);
        generator.set(generator.getParam("minP"), 2.0);
        assertThatThrownBy(generator::spec).hasMessageContaining("param minP must be in [0, 1]");
    }

    private static Map<String, String> completions(Dataset<Row> rows) {
        Map<String, String> byId = new TreeMap<>();
        rows.collectAsList().forEach(row -> byId.put(row.getAs(GeneratedRow.ID), row.getAs(GeneratedRow.COMPLETION)));
        return byId;
    }
}
