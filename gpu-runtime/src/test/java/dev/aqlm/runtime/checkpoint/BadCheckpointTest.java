package dev.aqlm.runtime.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.aqlm.runtime.Fixtures;
import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.engine.EngineOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way a checkpoint can be broken fails fast, with a message naming the file and the tensor. */
class BadCheckpointTest {
    @TempDir
    Path dir;

    private String rejectionOf(Path file) {
        return assertThrows(CheckpointException.class, () -> SafetensorsFile.open(file).close()).getMessage();
    }

    @Test
    void fileShorterThanTheHeaderLengthIsRejected() throws Exception {
        Path file = dir.resolve("short.safetensors");
        Files.write(file, new byte[] {1, 2, 3});
        assertThat(rejectionOf(file)).contains("short.safetensors").contains("truncated");
    }

    @Test
    void headerLengthPastTheEndIsRejected() {
        byte[] header = "{}".getBytes(StandardCharsets.UTF_8);
        Path file = CheckpointFiles.rawWithLength(dir.resolve("long.safetensors"), 4096, header, 0);
        assertThat(rejectionOf(file)).contains("long.safetensors").contains("header length 4096 runs past the end");
    }

    @Test
    void truncatedDataIsRejectedNamingTheTensor() {
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[16,24]}}";
        Path file = CheckpointFiles.raw(dir.resolve("cut.safetensors"), header, 20); // b needs bytes 16..24
        assertThat(rejectionOf(file)).contains("cut.safetensors: tensor 'b'").contains("lie outside");
    }

    @Test
    void offsetsOutsideTheDataAreRejected() {
        String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[100,104]}}";
        assertThat(rejectionOf(CheckpointFiles.raw(dir.resolve("x.safetensors"), header, 8)))
                .contains("tensor 'w'").contains("[100, 104)");
    }

    @Test
    void shapeTimesDtypeDifferentFromByteLengthIsRejected() {
        String header = "{\"w\":{\"dtype\":\"F16\",\"shape\":[3,3],\"data_offsets\":[0,16]}}";
        assertThat(rejectionOf(CheckpointFiles.raw(dir.resolve("x.safetensors"), header, 16)))
                .contains("tensor 'w'").contains("is 18 bytes but data_offsets span 16 bytes");
    }

    @Test
    void unknownDtypeIsRejected() {
        String header = "{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]}}";
        assertThat(rejectionOf(CheckpointFiles.raw(dir.resolve("x.safetensors"), header, 4)))
                .contains("tensor 'w'").contains("unsupported dtype \"F8_E4M3\"");
    }

    @Test
    void headerThatIsNotJsonIsRejected() {
        assertThat(rejectionOf(CheckpointFiles.raw(dir.resolve("x.safetensors"), "{not json", 0)))
                .contains("x.safetensors").contains("not valid JSON");
    }

    @Test
    void missingTensorIsNamed() {
        Path model = CheckpointFiles.copyModel("llama-tiny-aqlm-2x8", dir.resolve("m"),
                name -> !name.equals("model.layers.1.mlp.down_proj.scales"), null);
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> LanguageModel.load(model, EngineOptions.cpu()));
        assertThat(e.getMessage()).contains("missing tensor 'model.layers.1.mlp.down_proj.scales'");
    }

    /** Loads llama-tiny-fp16 with its weights and one edit of its config.json; the rejection's message. */
    private String rejectionOfConfigEdit(String from, String to) throws Exception {
        String config = Files.readString(Fixtures.model("llama-tiny-fp16").resolve("config.json")).replace(from, to);
        Path model = CheckpointFiles.copyModel("llama-tiny-fp16", dir.resolve("m"), name -> true, config);
        return assertThrows(CheckpointException.class, () -> LanguageModel.load(model, EngineOptions.cpu()))
                .getMessage();
    }

    @Test
    void misShapedTensorIsNamedWithBothShapes() throws Exception {
        assertThat(rejectionOfConfigEdit("\"intermediate_size\": 384", "\"intermediate_size\": 256"))
                .contains("model.layers.0.mlp.gate_proj.weight").contains("[384, 128]").contains("[256, 128]");
    }

    @Test
    void configWithFewerLayersThanStoredIsRejectedNamingTheExtraTensors() throws Exception {
        assertThat(rejectionOfConfigEdit("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 1"))
                .contains("does not account for").contains("model.layers.1.").contains("config.json says 1 layers");
    }

    @Test
    void negativeCountsInConfigAreRejectedByKeyBeforeAnyAllocation() throws Exception {
        for (String key : new String[] {"num_hidden_layers", "vocab_size", "num_key_value_heads", "intermediate_size"}) {
            String original = Files.readString(Fixtures.model("llama-tiny-fp16").resolve("config.json"));
            String config = original.replaceAll("\"" + key + "\": \\d+", "\"" + key + "\": -3");
            Path model = CheckpointFiles.copyModel("llama-tiny-fp16", dir.resolve("neg-" + key), name -> true, config);
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> LanguageModel.load(model, EngineOptions.cpu()), key);
            assertThat(e.getMessage()).contains("config.json").contains("\"" + key + "\" is -3")
                    .contains("positive integer");
        }
    }

    @Test
    void unsupportedOutGroupSizeIsRejected() throws Exception {
        String config = Files.readString(Fixtures.model("llama-tiny-aqlm-2x8").resolve("config.json"))
                .replace("\"out_group_size\": 1", "\"out_group_size\": 2");
        Path model = CheckpointFiles.copyModel("llama-tiny-aqlm-2x8", dir.resolve("m"), name -> true, config);
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> LanguageModel.load(model, EngineOptions.cpu()));
        assertThat(e.getMessage()).contains("config.json").contains("out_group_size 2 is not supported");
    }

    @Test
    void unsupportedQuantizationMethodIsRejected() throws Exception {
        String config = Files.readString(Fixtures.model("llama-tiny-aqlm-2x8").resolve("config.json"))
                .replace("\"quant_method\": \"aqlm\"", "\"quant_method\": \"gptq\"");
        Path model = CheckpointFiles.copyModel("llama-tiny-aqlm-2x8", dir.resolve("m"), name -> true, config);
        assertThat(assertThrows(CheckpointException.class, () -> LanguageModel.load(model, EngineOptions.cpu()))
                .getMessage()).contains("quant_method \"gptq\" is not supported");
    }

    @Test
    void shardIndexNamingAMissingFileIsRejected() throws Exception {
        Files.createDirectories(dir.resolve("m"));
        Files.writeString(dir.resolve("m/model.safetensors.index.json"),
                "{\"weight_map\": {\"lm_head.weight\": \"model-00002-of-00002.safetensors\"}}");
        assertThat(assertThrows(CheckpointException.class, () -> Checkpoint.open(dir.resolve("m"))).getMessage())
                .contains("lm_head.weight").contains("model-00002-of-00002.safetensors").contains("missing");
    }

    @Test
    void directoryWithoutWeightsSaysWhatIsExpected() {
        assertThat(assertThrows(CheckpointException.class, () -> Checkpoint.open(dir)).getMessage())
                .contains("model.safetensors").contains("model.safetensors.index.json");
    }
}
