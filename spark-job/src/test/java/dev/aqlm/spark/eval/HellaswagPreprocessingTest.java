package dev.aqlm.spark.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Expected values are what lm-eval's hellaswag preprocess returns under CPython 3. */
class HellaswagPreprocessingTest {
    @Test
    void titleMarkersBecomeSentenceBreaksAndOtherMarkupIsDeleted() {
        assertEquals(" How to water a fern. Check the soil.",
                HellaswagPreprocessing.preprocess("  [header] How to water a fern [title] Check the soil. "));
        assertEquals("Sell the fern at a market quickly.",
                HellaswagPreprocessing.preprocess("Sell the fern at a market [substeps] quickly."));
    }

    @Test
    void doubleSpacesCollapseInOnePassOnly() {
        assertEquals("a c  e", HellaswagPreprocessing.preprocess("a [b] c  [d]  e"));
        assertEquals("The end  here", HellaswagPreprocessing.preprocess("The  end   here"));
    }

    @Test
    void bracketsSpanningALineBreakStay() {
        assertEquals("x [multi\nline] y", HellaswagPreprocessing.preprocess("x [multi\nline] y"));
    }

    @Test
    void queryCapitalizesTheSecondContextAndLowersTheRestOfIt() {
        assertEquals("Home and Garden: How to water a fern. Check the soil. Feel the top inch of soil with your finger.",
                HellaswagPreprocessing.query("Home and Garden", "[header] How to water a fern [title] Check the soil.",
                        "FEEL the top inch of soil WITH your finger."));
    }
}
