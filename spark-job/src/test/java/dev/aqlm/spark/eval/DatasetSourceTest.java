package dev.aqlm.spark.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetSourceTest {
    @TempDir
    Path folder;

    private static List<JsonNode> fixtureRows(String task) {
        return DatasetFiles.read(LmEvalGolden.taskFolder().resolve(task + ".jsonl"));
    }

    private static List<EvalRequest> requests(String task, Path data) {
        return TaskRequests.build(Tasks.named(task), new LocalDatasetFolder(data).load(Tasks.named(task)), null)
                .requests();
    }

    @Test
    void parquetWithNestedStructsAndListsGivesTheSameRequestsAsJsonLines() throws IOException {
        for (String task : List.of("hellaswag", "arc_challenge", "openbookqa", "winogrande", "boolq", "wikitext")) {
            ParquetFixture.write(folder.resolve(task + ".parquet"), fixtureRows(task), false);
            assertEquals(requests(task, LmEvalGolden.taskFolder()), requests(task, folder), task);
        }
        JsonNode arc = new LocalDatasetFolder(folder).load(Tasks.named("arc_challenge")).get(1);
        assertEquals(List.of("1", "2", "3", "4"), new DocumentFields("arc_challenge", 1, arc).texts("choices.label"));
    }

    @Test
    void legacyTwoLevelListsAreReadToo() throws IOException {
        ParquetFixture.write(folder.resolve("hellaswag.parquet"), fixtureRows("hellaswag"), true);
        assertEquals(requests("hellaswag", LmEvalGolden.taskFolder()), requests("hellaswag", folder));
    }

    @Test
    void shardFolderIsReadInNameOrder() throws IOException {
        List<JsonNode> rows = fixtureRows("piqa");
        Path shards = Files.createDirectories(folder.resolve("piqa"));
        ParquetFixture.write(shards.resolve("validation-00001-of-00002.parquet"), rows.subList(2, 4), false);
        ParquetFixture.write(shards.resolve("validation-00000-of-00002.parquet"), rows.subList(0, 2), false);
        assertEquals(requests("piqa", LmEvalGolden.taskFolder()), requests("piqa", folder));
    }

    @Test
    void missingDatasetSaysWhereItLookedAndWhatToProvide() {
        DatasetNotFoundException error = assertThrows(DatasetNotFoundException.class,
                () -> new LocalDatasetFolder(folder).load(Tasks.named("arc_easy")));
        String message = error.getMessage();
        assertTrue(message.contains(folder.resolve("arc_easy.jsonl").toString()), message);
        assertTrue(message.contains(folder.resolve("arc_easy.parquet").toString()), message);
        assertTrue(message.contains("test split of the Hugging Face dataset allenai/ai2_arc (configuration ARC-Easy)"),
                message);
    }

    @Test
    void chainedSourcesUseTheFirstThatHasTheTask() {
        DatasetSource chain = DatasetSource.firstOf(List.of(new LocalDatasetFolder(folder),
                new LocalDatasetFolder(LmEvalGolden.taskFolder())));
        assertEquals(4, chain.load(Tasks.named("boolq")).size());
        assertTrue(chain.lookedAt(Tasks.named("boolq")).contains(folder.toString()));
    }

    @Test
    void brokenJsonLineIsNamedByFileAndLine() throws IOException {
        Files.writeString(folder.resolve("boolq.jsonl"), "{\"question\": \"q\", \"passage\": \"p\", \"label\": 0}\n"
                + "\n{\"question\": oops}\n");
        TaskDataException error = assertThrows(TaskDataException.class,
                () -> new LocalDatasetFolder(folder).load(Tasks.named("boolq")));
        assertTrue(error.getMessage().contains("boolq.jsonl line 3: not valid JSON"), error.getMessage());
    }

    @Test
    void fileThatIsNotParquetIsReportedAsSuch() throws IOException {
        Files.writeString(folder.resolve("piqa.parquet"), "not parquet");
        TaskDataException error = assertThrows(TaskDataException.class,
                () -> new LocalDatasetFolder(folder).load(Tasks.named("piqa")));
        assertTrue(error.getMessage().contains("piqa.parquet: cannot read as Parquet"), error.getMessage());
    }
}
