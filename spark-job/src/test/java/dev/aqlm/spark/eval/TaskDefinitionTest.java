package dev.aqlm.spark.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad rows fail with the task, document and field named; edge cases follow Python's string rules. */
class TaskDefinitionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static TaskDataException failure(String task, String rowJson) {
        return assertThrows(TaskDataException.class,
                () -> Tasks.named(task).document(7, JSON.readTree(rowJson)));
    }

    @Test
    void missingFieldIsNamedWithTaskAndDocument() {
        String message = failure("hellaswag", "{\"activity_label\": \"a\", \"ctx_a\": \"b\", \"ctx_b\": \"c\","
                + " \"label\": \"0\"}").getMessage();
        assertTrue(message.startsWith("hellaswag document 7: field 'endings' is missing"), message);
    }

    @Test
    void winograndeWithoutBlankOrWithAnUnknownAnswerIsRejected() {
        assertTrue(failure("winogrande", "{\"sentence\": \"no blank\", \"option1\": \"a\", \"option2\": \"b\","
                + " \"answer\": \"1\"}").getMessage().contains("field 'sentence' has no '_' blank"));
        assertTrue(failure("winogrande", "{\"sentence\": \"a _ b\", \"option1\": \"a\", \"option2\": \"b\","
                + " \"answer\": \"3\"}").getMessage().contains("field 'answer' should be \"1\" or \"2\""));
    }

    @Test
    void arcAnswerKeyMustBeOneOfTheLabels() {
        String message = failure("arc_easy", "{\"question\": \"q\", \"choices\": {\"text\": [\"x\", \"y\"],"
                + " \"label\": [\"A\", \"B\"]}, \"answerKey\": \"C\"}").getMessage();
        assertTrue(message.contains("arc_easy document 7: field 'choices.label' does not contain 'C'"), message);
    }

    @Test
    void goldOutsideTheChoicesIsRejected() {
        assertTrue(failure("piqa", "{\"goal\": \"g\", \"sol1\": \"a\", \"sol2\": \"b\", \"label\": 2}").getMessage()
                .contains("gold answer 2 is not one of the 2 choices"));
    }

    @Test
    void lambadaSplitsOnSingleSpacesOnly() throws Exception {
        // Python: "a  b\tc d".split(' ') == ['a', '', 'b\tc', 'd']
        TaskDocument document = Tasks.named("lambada_openai").document(0, JSON.readTree("{\"text\": \"a  b\\tc d\"}"));
        assertEquals("a  b\tc", document.requests().get(0).getContext());
        assertEquals(" d", document.requests().get(0).getContinuation());
    }

    @Test
    void winograndeScoresTheSameEndingAfterEachFilledInContext() throws Exception {
        TaskDocument document = Tasks.named("winogrande").document(0, JSON.readTree(
                "{\"sentence\": \"The cup fell because the _ was  slippery. \", \"option1\": \"cup\","
                        + " \"option2\": \"table\", \"answer\": \"2\"}"));
        assertEquals(List.of("The cup fell because the cup", "The cup fell because the table"),
                document.requests().stream().map(EvalRequest::getContext).toList());
        assertEquals(" was  slippery.", document.requests().get(1).getContinuation());
        assertEquals(1, document.gold());
    }

    @Test
    void unknownTaskListsTheKnownOnes() {
        String message = assertThrows(TaskDataException.class, () -> Tasks.parse("hellaswag,mmlu")).getMessage();
        assertTrue(message.contains("unknown task 'mmlu'") && message.contains("wikitext"), message);
    }
}
