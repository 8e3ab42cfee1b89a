package dev.aqlm.runtime.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aqlm.runtime.errors.AqlmException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Hugging Face tokenizer ({@code tokenizer.json}, applied by the Rust tokenizers library exactly as Python applies
 * it) plus what {@code tokenizer_config.json} says about special tokens. Encoding adds special tokens as
 * tokenizer.json's post-processor does; decoding skips them.
 */
public final class TextTokenizer implements AutoCloseable {
    public static final String TOKENIZER_FILE = "tokenizer.json";
    public static final String CONFIG_FILE = "tokenizer_config.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path directory;
    private final HuggingFaceTokenizer tokenizer;
    private final Map<String, Integer> specialTokenIds;
    private final int bosTokenId;
    private final Set<Integer> eosTokenIds;
    private final String chatTemplate;

    private TextTokenizer(Path directory, HuggingFaceTokenizer tokenizer, Map<String, Integer> specialTokenIds,
                          int bosTokenId, Set<Integer> eosTokenIds, String chatTemplate) {
        this.directory = directory;
        this.tokenizer = tokenizer;
        this.specialTokenIds = specialTokenIds;
        this.bosTokenId = bosTokenId;
        this.eosTokenIds = eosTokenIds;
        this.chatTemplate = chatTemplate;
    }

    public static boolean existsIn(Path directory) {
        return Files.isRegularFile(directory.resolve(TOKENIZER_FILE));
    }

    /** Loads {@code directory/tokenizer.json} and, if present, {@code tokenizer_config.json}. */
    public static TextTokenizer load(Path directory) {
        Path file = directory.resolve(TOKENIZER_FILE);
        if (!Files.isRegularFile(file)) {
            throw new AqlmException(directory + ": no " + TOKENIZER_FILE + "; the model directory needs the tokenizer"
                    + " files of its Hugging Face repository");
        }
        NativeLibrary.prepareCacheDirectory();
        try {
            Map<String, Integer> special = readAddedTokens(file);
            JsonNode config = Files.isRegularFile(directory.resolve(CONFIG_FILE))
                    ? JSON.readTree(directory.resolve(CONFIG_FILE).toFile())
                    : JSON.createObjectNode();
            int bos = tokenId(special, config.get("bos_token"));
            Set<Integer> eos = new LinkedHashSet<>();
            int eosId = tokenId(special, config.get("eos_token"));
            if (eosId >= 0) {
                eos.add(eosId);
            }
            String template = config.path("chat_template").isTextual() ? config.get("chat_template").asText() : null;
            // No truncation, no padding: the engine decides what fits a context window, and says so when it does not.
            HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(file,
                    Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "true"));
            return new TextTokenizer(directory, tokenizer, special, bos, eos, template);
        } catch (IOException e) {
            throw new AqlmException(file + ": cannot load tokenizer (" + e.getMessage() + ")", e);
        }
    }

    /** Token ids of {@code text}, with the special tokens tokenizer.json's post-processor adds (e.g. BOS). */
    public int[] encode(String text) {
        return encode(text, true);
    }

    public int[] encode(String text, boolean addSpecialTokens) {
        return toInts(tokenizer.encode(text, addSpecialTokens, false).getIds());
    }

    /** Text of {@code ids}, special tokens skipped. */
    public String decode(int[] ids) {
        return decode(ids, 0, ids.length);
    }

    public String decode(int[] ids, int from, int to) {
        long[] longs = new long[to - from];
        for (int i = from; i < to; i++) {
            longs[i - from] = ids[i];
        }
        return tokenizer.decode(longs, true);
    }

    /** The beginning-of-sequence id from tokenizer_config.json, or -1. */
    public int bosTokenId() {
        return bosTokenId;
    }

    /** End-of-sequence ids named by tokenizer_config.json (the model's config.json may name more). */
    public Set<Integer> eosTokenIds() {
        return eosTokenIds;
    }

    /** The id of a special (added) token such as "&lt;/s&gt;", or -1. */
    public int specialTokenId(String content) {
        return specialTokenIds.getOrDefault(content, -1);
    }

    /** The text of a special (added) token such as id 1 -> "&lt;s&gt;", or null. */
    public String specialTokenText(int id) {
        for (Map.Entry<String, Integer> token : specialTokenIds.entrySet()) {
            if (token.getValue() == id) {
                return token.getKey();
            }
        }
        return null;
    }

    /** The Jinja chat template of tokenizer_config.json, or null when the tokenizer has none. */
    public String chatTemplate() {
        return chatTemplate;
    }

    public Path directory() {
        return directory;
    }

    /** A detokenizer for one generated sequence that yields text as tokens arrive. */
    public StreamingDetokenizer newStream() {
        return new StreamingDetokenizer(this);
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    private static Map<String, Integer> readAddedTokens(Path file) throws IOException {
        Map<String, Integer> ids = new HashMap<>();
        JsonNode added = JSON.readTree(file.toFile()).path("added_tokens");
        for (JsonNode token : added) {
            ids.put(token.path("content").asText(), token.path("id").asInt());
        }
        return ids;
    }

    /** A special token as tokenizer_config.json writes it: a string, or an object with "content". */
    private static int tokenId(Map<String, Integer> special, JsonNode token) {
        if (token == null || token.isNull()) {
            return -1;
        }
        String content = token.isTextual() ? token.asText() : token.path("content").asText();
        return special.getOrDefault(content, -1);
    }

    private static int[] toInts(long[] ids) {
        int[] ints = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            ints[i] = Math.toIntExact(ids[i]);
        }
        return ints;
    }

    /** For tests and logs: the ids as a list. */
    public static List<Integer> asList(int[] ids) {
        return java.util.Arrays.stream(ids).boxed().toList();
    }
}
