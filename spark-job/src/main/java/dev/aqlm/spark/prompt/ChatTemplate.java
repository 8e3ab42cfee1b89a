package dev.aqlm.spark.prompt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import dev.aqlm.runtime.engine.InvalidRequestException;
import dev.aqlm.runtime.errors.AqlmException;
import dev.aqlm.runtime.tokenizer.TextTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A model's chat template (the Jinja template of tokenizer_config.json), rendered the way transformers'
 * {@code apply_chat_template} renders it: trim_blocks and lstrip_blocks on, {@code messages},
 * {@code add_generation_prompt}, {@code bos_token}, {@code eos_token} and {@code raise_exception} defined. The rendered
 * text already holds the special tokens the template writes, so it is tokenized without adding more.
 */
public final class ChatTemplate {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String template;
    private final String bosToken;
    private final String eosToken;
    private final Jinjava jinjava;

    public ChatTemplate(String template, String bosToken, String eosToken) {
        this.template = template;
        this.bosToken = bosToken == null ? "" : bosToken;
        this.eosToken = eosToken == null ? "" : eosToken;
        this.jinjava = new Jinjava(JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true).build());
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception", ChatTemplate.class,
                "raiseException", String.class));
    }

    /**
     * The template of the model in {@code directory} (tokenizer_config.json), or {@code override} when given.
     *
     * @throws AqlmException when neither exists, naming the file and the option that supplies one
     */
    public static ChatTemplate forModel(Path directory, String override) {
        Path config = directory.resolve(TextTokenizer.CONFIG_FILE);
        JsonNode json;
        try {
            json = Files.isRegularFile(config) ? JSON.readTree(config.toFile()) : JSON.createObjectNode();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + config, e);
        }
        String template = override != null ? override : json.path("chat_template").isTextual()
                ? json.get("chat_template").asText() : null;
        if (template == null) {
            throw new AqlmException(config + " has no chat_template, so prompts cannot be formatted as chat: drop"
                    + " --chat, or give a Jinja template with --chat-template-file");
        }
        return new ChatTemplate(template, specialToken(json.get("bos_token")), specialToken(json.get("eos_token")));
    }

    /** The text of a conversation of one user message, ending where the assistant's answer begins. */
    public String renderUserPrompt(String userMessage) {
        return render(List.of(Map.of("role", "user", "content", userMessage)));
    }

    public String render(List<Map<String, String>> messages) {
        Map<String, Object> bindings = new HashMap<>();
        bindings.put("messages", messages);
        bindings.put("add_generation_prompt", true);
        bindings.put("bos_token", bosToken);
        bindings.put("eos_token", eosToken);
        RenderResult result = jinjava.renderForResult(template, bindings);
        List<TemplateError> fatal = result.getErrors().stream()
                .filter(error -> error.getSeverity() == TemplateError.ErrorType.FATAL).toList();
        if (!fatal.isEmpty()) {
            throw new InvalidRequestException("the chat template failed: "
                    + fatal.stream().map(ChatTemplate::describe).distinct().collect(Collectors.joining("; ")));
        }
        return result.getOutput();
    }

    /** A template's own message (raise_exception) where there is one, else Jinjava's. */
    private static String describe(TemplateError error) {
        for (Throwable t = error.getException(); t != null; t = t.getCause()) {
            if (t instanceof InvalidRequestException raised) {
                return raised.getMessage();
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return error.getMessage();
    }

    /** The templates' {@code raise_exception(message)}: rejects a conversation the model was not trained on. */
    public static String raiseException(String message) {
        throw new InvalidRequestException(message);
    }

    private static String specialToken(JsonNode token) {
        if (token == null || token.isNull()) {
            return "";
        }
        return token.isTextual() ? token.asText() : token.path("content").asText("");
    }
}
