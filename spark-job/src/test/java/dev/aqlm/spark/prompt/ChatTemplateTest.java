package dev.aqlm.spark.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.Fixtures;
import dev.aqlm.runtime.engine.InvalidRequestException;
import dev.aqlm.runtime.errors.AqlmException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Chat templates as published in tokenizer_config.json files. The expected strings are what Python's jinja2 renders
 * with transformers' settings (trim_blocks, lstrip_blocks), checked with jinja2 3.1.
 */
public class ChatTemplateTest {
    /** Mistral-7B-Instruct-v0.1's template (alternation check, raise_exception, bos/eos tokens). */
    public static final String MISTRAL = "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != "
            + "(loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/"
            + "assistant/...') }}{% endif %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + "
            + "' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token }}{% else %}"
            + "{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}";

    /** Llama-3-Instruct's template (set, loop.index0, trim filter, generation prompt). */
    static final String LLAMA3 = "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = "
            + "'<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + "
            + "'<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}"
            + "{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}";

    /** ChatML with block tags on their own lines: trim_blocks and lstrip_blocks decide the whitespace. */
    static final String CHATML = "{% for message in messages %}\n    {{'<|im_start|>' + message['role'] + '\n' + "
            + "message['content'] + '<|im_end|>' + '\n'}}\n{% endfor %}\n{% if add_generation_prompt %}\n"
            + "{{ '<|im_start|>assistant\n' }}\n{% endif %}";

    @Test
    void mistralTemplate() {
        assertEquals("<s>[INST] What is 2+2? [/INST]",
                new ChatTemplate(MISTRAL, "<s>", "</s>").renderUserPrompt("What is 2+2?"));
    }

    @Test
    void llama3Template() {
        assertEquals("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\n",
                new ChatTemplate(LLAMA3, "<|begin_of_text|>", "<|eot_id|>").renderUserPrompt("  Hi there \n"));
    }

    @Test
    void chatmlTemplateWithTrimAndLstripBlocks() {
        assertEquals("    <|im_start|>user\nHello<|im_end|>\n\n<|im_start|>assistant\n\n",
                new ChatTemplate(CHATML, "", "").renderUserPrompt("Hello"));
    }

    @Test
    void raiseExceptionRejectsTheConversation() {
        ChatTemplate template = new ChatTemplate(MISTRAL, "<s>", "</s>");
        InvalidRequestException error = assertThrows(InvalidRequestException.class,
                () -> template.render(List.of(Map.of("role", "system", "content", "be brief"))));
        assertTrue(error.getMessage().contains("Conversation roles must alternate"), error.getMessage());
    }

    @Test
    void aModelWithoutTemplateNeedsOne() {
        AqlmException error = assertThrows(AqlmException.class,
                () -> ChatTemplate.forModel(Fixtures.model("llama-mistraltok-aqlm-2x8"), null));
        assertTrue(error.getMessage().contains("has no chat_template") && error.getMessage().contains("--chat-template-file"),
                error.getMessage());
        ChatTemplate given = ChatTemplate.forModel(Fixtures.model("llama-mistraltok-aqlm-2x8"), MISTRAL);
        assertEquals("<s>[INST] x [/INST]", given.renderUserPrompt("x"), "bos_token from tokenizer_config.json");
    }
}
