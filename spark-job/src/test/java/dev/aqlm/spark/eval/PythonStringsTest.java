package dev.aqlm.spark.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Expected values are CPython 3's str.capitalize(). */
class PythonStringsTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "she|She",
        "FEEL the top inch of soil WITH your finger.|Feel the top inch of soil with your finger.",
        "1ABC|1abc",
        "\u00e9COLE|\u00c9cole",
        "\u00dfa|Ssa",                       // full title mapping: ß -> Ss
        "\u01c6emal|\u01c5emal",             // a digraph has its own title-case letter
        "\u0149x|\u02bcNx",                  // ŉ -> ʼN: upper only up to the first cased letter
        "\ufb01NE|Fine",                     // ligature ﬁ -> Fi
        "\u1fb3\u0392\u0393|\u1fbc\u03b2\u03b3", // iota subscript keeps its title-case form
        "\u0130STANBUL|\u0130stanbul",
        "\u03a3\u0391\u03a3 \u039f\u0394\u039f\u03a3|\u03a3\u03b1\u03c2 \u03bf\u03b4\u03bf\u03c2", // final sigmas
    })
    void capitalizeMatchesPython(String text, String expected) {
        assertEquals(expected, PythonStrings.capitalize(text));
    }

    @Test
    void emptyStaysEmpty() {
        assertEquals("", PythonStrings.capitalize(""));
    }
}
