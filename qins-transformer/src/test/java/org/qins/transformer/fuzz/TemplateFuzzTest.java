package org.qins.transformer.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.qins.transformer.chat.ChatMessage;
import org.qins.transformer.chat.ChatTemplate;
import org.qins.transformer.chat.TemplateException;
import org.qins.transformer.chat.TemplateLimits;

/**
 * Fuzzes chat template loading and rendering: tokenizer_config.json mutated as JSON, and its
 * template text mutated with Jinja fragments (loops, string and list doubling, recursion, includes,
 * broken tags). Renders run under small limits so that hostile templates end in milliseconds.
 */
class TemplateFuzzTest {

    static final String[] KEYS = {"chat_template", "bos_token", "eos_token", "name", "template", "content"};
    static final String[] FRAGMENTS = {"{% for i in range(1000) %}", "{% endfor %}", "{% for m in messages %}", "{{ m['content'] }}",
        "{% set s = s ~ s %}", "{% set s = 'ab' %}", "{% set l = l + l %}", "{% set l = [1, 2] %}", "{{ s }}", "{{ l|length }}",
        "{% if loop.last %}", "{% endif %}", "{% else %}", "{{ raise_exception('no') }}", "{% macro m(x) %}{{ m(x) }}{% endmacro %}",
        "{{ m(1) }}", "{% include 'x.j2' %}", "{% import 'x' as y %}", "{% extends 'b' %}", "{{ messages[99]['role'] }}",
        "{{ messages|tojson }}", "{{ ''.__class__ }}", "{{ range(99999999)|list|length }}", "{{ 'x' * 1000000 }}", "{{", "}}", "{%",
        "%}", "{#", "#}", "{% raw %}", "{% endraw %}", "{{ bos_token }}", "{{ eos_token }}", "{{ add_generation_prompt }}",
        "{{ loop.index0 % 0 }}", "{{ 1 / 0 }}", "{{ messages[0]['content'] | replace('i', 'iiiiiiii') }}", "{% do l.append(l) %}",
        "{{ 9999999999999999999999 * 99999999999999999 }}", "{% set d = {} %}", "{{ d.update(d) }}", "{% cycle 'a', 'b' %}"};
    private static final String CONFIG = "tokenizer_config.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Small limits: each render ends within a fraction of a second whatever the template does. */
    static final TemplateLimits LIMITS = new TemplateLimits(1 << 20, 10_000, 20_000, 100);
    static final List<ChatMessage> CHAT = List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi"), ChatMessage.assistant("Hello!"),
            ChatMessage.user("2+2?"));

    static final class Target implements FuzzTarget {

        @Override
        public String name() {
            return "template";
        }

        @Override
        public List<FuzzInput> corpus() {
            List<FuzzInput> out = new ArrayList<>();
            for (Path p : Corpus.files(name(), ".json")) {
                out.add(FuzzInput.of(p.getFileName().toString(), CONFIG, Corpus.read(p)));
            }
            return out;
        }

        @Override
        public FuzzInput mutate(Random r, FuzzInput seed, List<FuzzInput> corpus) {
            byte[] in = seed.files().get(CONFIG);
            byte[] out = null;
            int op = r.nextInt(10);
            if (op < 6) {
                out = mutateTemplate(r, in);
            } else if (op < 9) {
                out = JsonMutations.mutate(r, in, KEYS);
            }
            if (out == null) {
                out = ByteMutations.mutate(r, in, corpus.stream().map(c -> c.files().get(CONFIG)).toList());
            }
            return FuzzInput.of("mutated from " + seed.origin(), CONFIG, out);
        }

        /** The chat_template string with one to three Jinja-level edits. */
        private static byte[] mutateTemplate(Random r, byte[] in) {
            try {
                JsonNode root = JSON.readTree(in);
                if (!(root instanceof ObjectNode o) || !o.path("chat_template").isTextual()) {
                    return null;
                }
                String t = o.get("chat_template").textValue();
                for (int n = 1 + r.nextInt(3); n > 0; n--) {
                    t = edit(r, t);
                }
                o.put("chat_template", t);
                return JSON.writeValueAsBytes(o);
            } catch (java.io.IOException e) {
                return null;
            }
        }

        private static String edit(Random r, String t) {
            String f = FRAGMENTS[r.nextInt(FRAGMENTS.length)];
            int at = t.isEmpty() ? 0 : r.nextInt(t.length() + 1);
            int end = Math.min(t.length(), at + 1 + r.nextInt(40));
            return switch (r.nextInt(5)) {
                case 0 -> t.substring(0, at) + t.substring(end);
                case 1 -> "{% for i in range(1000) %}" + t + "{% endfor %}";
                case 2 -> t.substring(0, at) + t.substring(at, end) + t.substring(at);
                default -> t.substring(0, at) + f + t.substring(at);
            };
        }

        @Override
        public void run(Path dir) {
            ChatTemplate t = ChatTemplate.load(dir, LIMITS);
            t.render(CHAT, true);
            t.render(CHAT.subList(0, 2), false);
        }

        @Override
        public Class<? extends RuntimeException> clearError() {
            return TemplateException.class;
        }
    }

    @Test
    void theCorpusAndSeededMutationsEndAcceptedOrWithAClearError() {
        FuzzReport r = FuzzRunner.run(new Target(), FuzzRunner.seed(31), FuzzRunner.iterations(300), 15_000);
        assertThat(r.findings()).isEmpty();
        assertThat(r.accepted()).isPositive();
        assertThat(r.refused()).isPositive();
        assertThat(new String(Corpus.read(Corpus.dir("template").resolve("phi35.json")), StandardCharsets.UTF_8)).contains("chat_template");
    }
}
