package dev.aqlm.spark.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the job summary says about speculation (no Spark: the totals are given). */
class JobSummaryTest {

    private static String printed(OutputTotals thisRun) {
        JobSummary summary = new JobSummary("out", OutputFormat.PARQUET, thisRun.rows(), 0, thisRun, thisRun, 2.0,
                Map.of(), 0, 1);
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        summary.print(new PrintStream(text, true, StandardCharsets.UTF_8));
        return text.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aSpeculatingRunReportsDraftedAcceptedAndTokensPerPass() {
        OutputTotals run = new OutputTotals(4, 0, 0, 40, 120, Map.of(), 100, 75, 40);
        assertThat(printed(run)).contains("speculation: 100 draft tokens verified, 75 accepted (75%),"
                + " 3.00 completion tokens per forward pass");
    }

    @Test
    void aPlainRunSaysNothingAboutSpeculation() {
        OutputTotals run = new OutputTotals(4, 0, 0, 40, 120, Map.of(), 0, 0, 120);
        assertThat(printed(run)).doesNotContain("speculation");
    }
}
