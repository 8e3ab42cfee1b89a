package dev.aqlm.runtime.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PythonWhitespaceTest {
    @Test
    void noBreakSpacesAndInformationSeparatorsAreWhitespaceAsInPython() {
        // Python: "\u00a0".isspace(), "\x1c".isspace(), "\u202f".isspace() are True; "\u200b".isspace() is False.
        assertTrue(PythonWhitespace.isSpace(0xA0));
        assertTrue(PythonWhitespace.isSpace(0x1C));
        assertTrue(PythonWhitespace.isSpace(0x202F));
        assertFalse(PythonWhitespace.isSpace(0x200B));
        assertFalse(PythonWhitespace.isSpace('x'));
        assertEquals("a b", PythonWhitespace.strip("\u00a0\t a b\u3000\n"));
        assertEquals("\n a", PythonWhitespace.rstrip("\n a \u2009"));
        assertEquals("a \u2009", PythonWhitespace.lstrip("\u001f a \u2009"));
    }

    @Test
    void characterClassAgreesWithIsSpace() {
        Pattern one = Pattern.compile(PythonWhitespace.CHARACTER_CLASS);
        for (int cp = 0; cp <= 0x3100; cp++) {
            assertEquals(PythonWhitespace.isSpace(cp), one.matcher(new String(Character.toChars(cp))).matches(),
                    Integer.toHexString(cp));
        }
    }

    @Test
    void splitKeepsEmptyEndsLikePythonReSplit() {
        // Python: re.split(r"\s+", " a  b \n") == ['', 'a', 'b', '']
        assertArrayEquals(new String[] {"", "a", "b", ""}, PythonWhitespace.splitOnRuns(" a  b \n"));
        assertArrayEquals(new String[] {"a"}, PythonWhitespace.splitOnRuns("a"));
        assertArrayEquals(new String[] {""}, PythonWhitespace.splitOnRuns(""));
    }
}
