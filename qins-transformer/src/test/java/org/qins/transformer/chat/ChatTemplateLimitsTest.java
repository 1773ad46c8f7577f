package org.qins.transformer.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile templates end quickly with a TemplateException naming the file. Each limit is tested
 * with small limits so the test is fast; the defaults are the same mechanism with larger numbers.
 */
class ChatTemplateLimitsTest {

    private static final List<ChatMessage> CHAT = List.of(ChatMessage.user("hi"));
    private static final String ORIGIN = "/m/tokenizer_config.json: chat_template";

    private static ChatTemplate template(String source, TemplateLimits limits) {
        return new ChatTemplate(source, "<s>", "</s>", ORIGIN, limits);
    }

    @Test
    void nestedLoopsStopAtTheStepLimit() {
        // 1000^3 iterations would run for minutes; an empty innermost body still counts its tag's visits.
        String loops = "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}{% endfor %}"
                + "{% endfor %}{% endfor %}done";
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> template(loops, new TemplateLimits(1 << 20, 1000, 10_000, 60_000)).render(CHAT, true))
                .isInstanceOf(TemplateException.class).hasMessageStartingWith(ORIGIN)
                .hasMessageContaining("more than 10000 template steps");
        assertThat((System.nanoTime() - t0) / 1e9).as("seconds").isLessThan(30);
    }

    @Test
    void slowRendersStopAtTheTimeLimit() {
        String loops = "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}{% set x = c %}{% endfor %}"
                + "{% endfor %}{% endfor %}done";
        assertThatThrownBy(() -> template(loops, new TemplateLimits(1 << 20, 1000, Long.MAX_VALUE, 200)).render(CHAT, true))
                .isInstanceOf(TemplateException.class).hasMessageStartingWith(ORIGIN)
                .hasMessageContaining("rendering took longer than 200 ms");
    }

    @Test
    void stringDoublingStopsAtTheSizeLimit() {
        String doubling = "{% set s = 'xx' %}{% for i in range(64) %}{% set s = s ~ s %}{% endfor %}{{ s }}";
        assertThatThrownBy(() -> template(doubling, new TemplateLimits(100_000, 1000, 1_000_000, 60_000)).render(CHAT, true))
                .isInstanceOf(TemplateException.class).hasMessageStartingWith(ORIGIN).hasMessageContaining("100000");
    }

    @Test
    void listDoublingStopsAtTheItemLimit() {
        String doubling = "{% set l = [1] %}{% for i in range(64) %}{% set l = l + l %}{% endfor %}{{ l|length }}";
        assertThatThrownBy(() -> template(doubling, new TemplateLimits(100_000, 1000, 1_000_000, 60_000)).render(CHAT, true))
                .isInstanceOf(TemplateException.class).hasMessageStartingWith(ORIGIN).hasMessageContaining("1000");
    }

    @Test
    void theDefaultLimitsStopStringDoublingBeforeMemoryRunsOut() {
        String doubling = "{% set s = 'xx' %}{% for i in range(64) %}{% set s = s ~ s %}{% endfor %}{{ s }}";
        assertThatThrownBy(() -> new ChatTemplate(doubling, "<s>", "</s>").render(CHAT, true)).isInstanceOf(TemplateException.class)
                .hasMessageContaining(String.valueOf(TemplateLimits.DEFAULT.maxChars()));
    }

    @Test
    void aTemplateStillRendersAfterAnotherRenderWasStopped() {
        ChatTemplate t = template("{% if messages|length > 1 %}{% for a in range(1000) %}{% for b in range(1000) %}{% endfor %}"
                + "{% endfor %}{% endif %}[{{ messages[0]['content'] }}]", new TemplateLimits(1 << 20, 1000, 500, 60_000));
        assertThatThrownBy(() -> t.render(List.of(ChatMessage.user("a"), ChatMessage.user("b")), true))
                .isInstanceOf(TemplateException.class);
        assertThat(t.render(CHAT, true)).isEqualTo("[hi]");
    }

    @Test
    void loadedTemplatesNameTheirFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tokenizer_config.json");
        Files.writeString(file, "{\"chat_template\": \"{% for m in messages %}{{ m['content'] }\"}");
        assertThatThrownBy(() -> ChatTemplate.load(dir).render(CHAT, true)).isInstanceOf(TemplateException.class)
                .hasMessageStartingWith(file + ": chat_template");
        Files.writeString(file, "{\"chat_template\": 42}");
        assertThatThrownBy(() -> ChatTemplate.load(dir)).hasMessage(file + ": chat_template must be a string or a list of"
                + " {name, template}, got NUMBER");
        Files.writeString(file, "{\"chat_template\": \"x\"");
        assertThatThrownBy(() -> ChatTemplate.load(dir)).isInstanceOf(TemplateException.class).hasMessageStartingWith(file + ": cannot read");
        Files.writeString(file, "[]");
        assertThatThrownBy(() -> ChatTemplate.load(dir)).hasMessage(file + ": must hold a JSON object, got ARRAY");
    }

    @Test
    void templatesCannotIncludeOtherFilesOrResources() {
        for (String include : new String[] {"{% include 'META-INF/MANIFEST.MF' %}", "{% import '/etc/passwd' as p %}x",
            "{% extends 'base.html' %}"}) {
            assertThatThrownBy(() -> template(include, TemplateLimits.DEFAULT).render(CHAT, true)).as(include)
                    .isInstanceOf(TemplateException.class).hasMessageStartingWith(ORIGIN);
        }
    }
}
