package org.qins.transformer.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our chat templates in the manner of Llama 3.x, Qwen2.5, Qwen3, Mistral and Phi-4-mini (and one of
 * {@code tojson}), rendered by Jinjava through {@link ChatTemplate}, equal what Jinja2 renders as
 * transformers' {@code apply_chat_template} does. The expected strings are committed
 * ({@code chat/expected.json}, written by {@code chat/render_with_jinja2.py}); no Python at test time.
 */
class ChatTemplateParityTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode resource(String name) throws IOException {
        try (InputStream in = ChatTemplateParityTest.class.getResourceAsStream("/chat/" + name)) {
            return JSON.readTree(in);
        }
    }

    static String text(String name) throws IOException {
        try (InputStream in = ChatTemplateParityTest.class.getResourceAsStream("/chat/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static Stream<Arguments> renderings() throws IOException {
        JsonNode expected = resource("expected.json");
        List<Arguments> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> t = expected.fields(); t.hasNext(); ) {
            Map.Entry<String, JsonNode> template = t.next();
            for (Iterator<String> c = template.getValue().fieldNames(); c.hasNext(); ) {
                out.add(Arguments.of(template.getKey(), c.next()));
            }
        }
        assertThat(out).hasSizeGreaterThanOrEqualTo(6 * 8);
        return out.stream();
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("renderings")
    void rendersAsJinja2Does(String templateName, String caseName) throws IOException {
        JsonNode c = resource("cases.json").get(caseName);
        JsonNode expected = resource("expected.json").get(templateName).get(caseName);
        List<ChatMessage> messages = new ArrayList<>();
        for (JsonNode m : c.get("messages")) {
            messages.add(new ChatMessage(m.get("role").asText(), m.get("content").asText()));
        }
        ChatTemplate template = new ChatTemplate(text(templateName + ".jinja"), "<s>", "</s>");
        boolean prompt = c.get("add_generation_prompt").asBoolean();
        if (expected.has("error")) {
            assertThatThrownBy(() -> template.render(messages, prompt)).isInstanceOf(TemplateException.class)
                    .hasMessageContaining(expected.get("error").asText());
        } else {
            assertThat(template.render(messages, prompt)).isEqualTo(expected.get("text").asText());
        }
    }
}
