package dev.aqlm.spark.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** Expected values are CPython 3's repr(float) and json.dumps(indent=2, ensure_ascii=False). */
class PythonFormatsTest {
    @Test
    void floatReprIsShortestRoundTripInPythonsLayout() {
        assertEquals("-99.45971269348468", PythonFloats.repr(-99.45971269348468));
        assertEquals("0.1", PythonFloats.repr(0.1));
        assertEquals("1e+16", PythonFloats.repr(1e16));
        assertEquals("1000000000000000.0", PythonFloats.repr(1e15));
        assertEquals("1.5e-05", PythonFloats.repr(1.5e-5));
        assertEquals("0.0001", PythonFloats.repr(0.0001));
        assertEquals("123456789.0", PythonFloats.repr(123456789.0));
        assertEquals("-1e-07", PythonFloats.repr(-1e-7));
        assertEquals("0.3333333333333333", PythonFloats.repr(1.0 / 3));
        assertEquals("5e-324", PythonFloats.repr(Double.MIN_VALUE));
        assertEquals("1.7976931348623157e+308", PythonFloats.repr(Double.MAX_VALUE));
        assertEquals("0.33333333333333337", PythonFloats.repr(0.33333333333333337));
        assertEquals("False", PythonFloats.repr(false));
    }

    @Test
    void jsonDumpsMatchesPythonForHashing() throws Exception {
        var doc = new ObjectMapper().readTree(
                "{\"a\":\"x\\\"y\\\\z\\n\u00e9\u2028\\u0001\",\"b\":[1,2.5,true,null,[],{}],\"c\":{\"d\":[]},\"e\":1e-7}");
        assertEquals("{\n  \"a\": \"x\\\"y\\\\z\\n\u00e9\u2028\\u0001\",\n  \"b\": [\n    1,\n    2.5,\n    true,\n"
                + "    null,\n    [],\n    {}\n  ],\n  \"c\": {\n    \"d\": []\n  },\n  \"e\": 1e-07\n}",
                PythonJson.dumps(doc));
    }

    @Test
    void fourDecimalsRoundTheExactBinaryValueHalfToEven() {
        // Python: "%.4f" % 0.00005 -> '0.0001' (the double is just above the tie); "%.4f" % 0.12345 -> '0.1235'
        // (just above too); "%.4f" % 2.00005 -> '2.0000' (just below); "%.4f" % -0.0 -> '-0.0000'.
        assertEquals("0.0001", ResultsTable.formatValue(0.00005));
        assertEquals("0.1235", ResultsTable.formatValue(0.12345));
        assertEquals("2.0000", ResultsTable.formatValue(2.00005));
        assertEquals("-0.0000", ResultsTable.formatValue(-0.0));
        assertEquals("N/A", ResultsTable.formatValue("N/A"));
    }
}
