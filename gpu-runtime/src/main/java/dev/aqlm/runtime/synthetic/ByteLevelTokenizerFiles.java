package dev.aqlm.runtime.synthetic;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aqlm.runtime.errors.AqlmException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small byte-level BPE tokenizer (GPT-2 style) for synthetic models: three special tokens, the 256 byte tokens, then
 * merged tokens of lowercase letters and spaces until the model's vocabulary is full, so every id the model can emit
 * decodes to some text. Written as tokenizer.json + tokenizer_config.json, read by the real tokenizers library.
 */
final class ByteLevelTokenizerFiles {
    static final int UNK_ID = 0;
    static final int BOS_ID = 1;
    static final int EOS_ID = 2;
    private static final int FIRST_BYTE_ID = 3;
    private static final String SPACE = "\u0120"; // how byte-level BPE spells a space

    private ByteLevelTokenizerFiles() {
    }

    static void write(Path directory, int vocabSize, int maxPositions) throws IOException {
        if (vocabSize < FIRST_BYTE_ID + 256) {
            throw new AqlmException("a synthetic model needs a vocabulary of at least " + (FIRST_BYTE_ID + 256)
                    + " tokens (3 special + 256 bytes), got " + vocabSize);
        }
        ObjectMapper json = new ObjectMapper();
        Map<String, Integer> vocab = new LinkedHashMap<>();
        vocab.put("<unk>", UNK_ID);
        vocab.put("<s>", BOS_ID);
        vocab.put("</s>", EOS_ID);
        String[] byteTokens = byteToUnicode();
        for (int b = 0; b < 256; b++) {
            vocab.put(byteTokens[b], FIRST_BYTE_ID + b);
        }
        List<String> merges = new ArrayList<>();
        List<String> alphabet = new ArrayList<>();
        alphabet.add(SPACE);
        for (char c = 'a'; c <= 'z'; c++) {
            alphabet.add(String.valueOf(c));
        }
        List<String> previous = new ArrayList<>(alphabet);
        while (vocab.size() < vocabSize) {
            List<String> longer = new ArrayList<>();
            for (String prefix : previous) {
                for (String last : alphabet) {
                    if (vocab.size() == vocabSize) {
                        break;
                    }
                    String token = prefix + last;
                    vocab.put(token, vocab.size());
                    merges.add(prefix + " " + last);
                    longer.add(token);
                }
            }
            previous = longer;
        }

        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (String special : List.of("<unk>", "<s>", "</s>")) {
            ObjectNode token = added.addObject();
            token.put("id", vocab.get(special));
            token.put("content", special);
            token.put("single_word", false);
            token.put("lstrip", false);
            token.put("rstrip", false);
            token.put("normalized", false);
            token.put("special", true);
        }
        root.putNull("normalizer");
        root.set("pre_tokenizer", byteLevel(json));
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        post.putArray("single").add(specialPiece(json, "<s>")).add(sequencePiece(json, "A"));
        post.putArray("pair").add(specialPiece(json, "<s>")).add(sequencePiece(json, "A"))
                .add(specialPiece(json, "<s>")).add(sequencePiece(json, "B"));
        ObjectNode bos = post.putObject("special_tokens").putObject("<s>");
        bos.put("id", "<s>");
        bos.putArray("ids").add(BOS_ID);
        bos.putArray("tokens").add("<s>");
        root.set("decoder", byteLevel(json));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        ObjectNode vocabNode = model.putObject("vocab");
        vocab.forEach(vocabNode::put);
        ArrayNode mergeNode = model.putArray("merges");
        merges.forEach(mergeNode::add);
        json.writeValue(directory.resolve("tokenizer.json").toFile(), root);

        ObjectNode config = json.createObjectNode();
        config.put("tokenizer_class", "PreTrainedTokenizerFast");
        config.put("bos_token", "<s>");
        config.put("eos_token", "</s>");
        config.put("unk_token", "<unk>");
        config.put("model_max_length", maxPositions);
        json.writerWithDefaultPrettyPrinter().writeValue(directory.resolve("tokenizer_config.json").toFile(), config);
    }

    private static ObjectNode byteLevel(ObjectMapper json) {
        ObjectNode node = json.createObjectNode();
        node.put("type", "ByteLevel");
        node.put("add_prefix_space", false);
        node.put("trim_offsets", true);
        node.put("use_regex", true);
        return node;
    }

    private static ObjectNode specialPiece(ObjectMapper json, String id) {
        ObjectNode piece = json.createObjectNode();
        ObjectNode special = piece.putObject("SpecialToken");
        special.put("id", id);
        special.put("type_id", 0);
        return piece;
    }

    private static ObjectNode sequencePiece(ObjectMapper json, String id) {
        ObjectNode piece = json.createObjectNode();
        ObjectNode sequence = piece.putObject("Sequence");
        sequence.put("id", id);
        sequence.put("type_id", 0);
        return piece;
    }

    /** GPT-2's reversible byte-to-character map: printable bytes map to themselves, the rest to code points 256+. */
    private static String[] byteToUnicode() {
        String[] map = new String[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            map[b] = new String(Character.toChars(printable ? b : next++));
        }
        return map;
    }
}
