package dev.aqlm.spark.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Expected values are what lm-eval's wikitext_detokenizer and process_results return under CPython 3. */
class WikitextDetokenizerTest {
    @Test
    void headingsNumberSeparatorsContractionsAndBracketsAreUndone() {
        String page = " = = = Early life = = = \n The player 's father was born in 1 @,@ 234 . He said \" it 's fine \""
                + " and left ( see [ note ] ) . \n";
        assertEquals(" === Early life ===\nThe player's father was born in 1,234. He said \"it's fine\" and left"
                + " (see [note]).\n", WikitextDetokenizer.detokenize(page));
        assertEquals(37, WikitextDetokenizer.words(page));
        assertEquals(123, PythonStrings.utf8Length(page));
    }

    @Test
    void replacementsRunInLmEvalsOrderIncludingItsLiteralSlashPattern() {
        // "players '" becomes "players'" first, so the quote pairing that follows sees a different string; the
        // "/' [0-9]/" pattern matches literal slashes and inserts the literal text "/'[0-9]/".
        String page = " The temperature was 30 \u00b0 C on the players ' day ; a { braced  } value , 2 @.@ 5 @-@ fold !"
                + " Why ? N is here /' 5/ . \n";
        assertEquals(" The temperature was 30\u00b0C on the players'day; a {braced} value, 2.5-fold! Why? 1 is here"
                + " /'[0-9]/.\n", WikitextDetokenizer.detokenize(page));
        assertEquals(34, WikitextDetokenizer.words(page));
        assertEquals(118, PythonStrings.utf8Length(page));
    }

    @Test
    void unicodeSpacesCountAsPythonWhitespace() {
        String page = " It 's a 'quoted\u00a0' word with\u2003spaces\u00a0( x\u00a0) \n \n";
        assertEquals(" It's a'quoted\u00a0' word with\u2003spaces\u00a0(x)\n\n", WikitextDetokenizer.detokenize(page));
        assertEquals(13, WikitextDetokenizer.words(page));
        assertEquals(50, PythonStrings.utf8Length(page));
    }
}
