package dev.aqlm.runtime.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aqlm.runtime.Fixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Both real tokenizers reproduce every golden encoding of the Python tokenizers library, exactly. */
class TokenizerGoldenTest {
    private static Path dir(String name) {
        return Fixtures.root().resolve("tokenizers").resolve(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mistral", "llama3"})
    void encodingsAndDecodingsMatchTheTokenizersLibrary(String name) {
        JsonNode cases = Fixtures.json(dir(name).resolve("golden-visible.json")).get("cases");
        assertThat(cases.size()).isGreaterThan(5);
        try (TextTokenizer tokenizer = TextTokenizer.load(dir(name))) {
            for (JsonNode c : cases) {
                String text = c.get("text").asText();
                assertArrayEquals(Fixtures.ints(c.get("ids")), tokenizer.encode(text), name + ": " + text);
                assertArrayEquals(Fixtures.ints(c.get("ids_no_special")), tokenizer.encode(text, false), name + ": " + text);
                assertEquals(c.get("decoded").asText(), tokenizer.decode(Fixtures.ints(c.get("ids"))), name + ": " + text);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mistral", "llama3"})
    void streamingDetokenizationConcatenatesToTheFullDecoding(String name) {
        JsonNode cases = Fixtures.json(dir(name).resolve("golden-visible.json")).get("cases");
        try (TextTokenizer tokenizer = TextTokenizer.load(dir(name))) {
            for (JsonNode c : cases) {
                int[] ids = Fixtures.ints(c.get("ids_no_special"));
                StreamingDetokenizer stream = tokenizer.newStream();
                StringBuilder text = new StringBuilder();
                List<String> pieces = new ArrayList<>();
                for (int id : ids) {
                    String piece = stream.add(id);
                    pieces.add(piece);
                    text.append(piece);
                }
                text.append(stream.flush());
                assertEquals(tokenizer.decode(ids), text.toString(), name + ": " + c.get("text").asText());
                for (String piece : pieces) {
                    assertThat(piece).as("no piece may end inside a character").doesNotContain("\uFFFD");
                    if (!piece.isEmpty()) {
                        assertThat(Character.isHighSurrogate(piece.charAt(piece.length() - 1))).isFalse();
                    }
                }
            }
        }
    }

    @org.junit.jupiter.api.Test
    void specialTokensComeFromTheConfigFiles() {
        try (TextTokenizer mistral = TextTokenizer.load(dir("mistral"))) {
            assertEquals(1, mistral.bosTokenId());
            assertThat(mistral.eosTokenIds()).containsExactly(2);
        }
    }

    @org.junit.jupiter.api.Test
    void longTextIsNotTruncated() {
        try (TextTokenizer tokenizer = TextTokenizer.load(dir("mistral"))) {
            String text = "word ".repeat(2000); // well past the library's default 512-token truncation
            assertThat(tokenizer.encode(text, false).length).isGreaterThanOrEqualTo(2000);
        }
    }

    @org.junit.jupiter.api.Test
    void multiByteCharactersSplitAcrossByteTokensAreWithheldUntilComplete() {
        try (TextTokenizer tokenizer = TextTokenizer.load(dir("mistral"))) {
            // U+1D11E is not in the vocabulary: byte fallback spells it as four tokens <0xF0><0x9D><0x84><0x9E>.
            int[] ids = tokenizer.encode("\uD834\uDD1E", false);
            int[] bytes = java.util.Arrays.copyOfRange(ids, ids.length - 4, ids.length);
            StreamingDetokenizer stream = tokenizer.newStream();
            List<String> pieces = new ArrayList<>();
            for (int id : bytes) {
                pieces.add(stream.add(id));
            }
            assertEquals(List.of("", "", "", "\uD834\uDD1E"), pieces);
        }
    }
}
