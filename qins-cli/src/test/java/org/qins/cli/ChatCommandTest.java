package org.qins.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatCommandTest {

    static final String TEMPLATE = "{{ bos_token }}{% for m in messages %}<|{{ m.role }}|>{{ m.content }}</s>{% endfor %}"
            + "{% if add_generation_prompt %}<|assistant|>{% endif %}";

    @Test
    void twoTurnsKeepTheConversation(@TempDir Path tmp) throws Exception {
        Path model = copyWithTemplate(tmp);
        String answers = run(model, "hello there\nhow is the weather\n/exit\n");
        List<String> prompts = new ArrayList<>();
        Matcher m = Pattern.compile("<prompt>\\R(.*?)\\R</prompt>", Pattern.DOTALL).matcher(answers);
        while (m.find()) {
            prompts.add(m.group(1));
        }
        assertThat(prompts).hasSize(2);
        assertThat(prompts.get(0)).isEqualTo("<s><|system|>be brief</s><|user|>hello there</s><|assistant|>");
        // The answer of turn 1 is the text between the first "> " prompt marker and the first <prompt>.
        String first = answers.substring(answers.indexOf("> ") + 2, answers.indexOf("\n<prompt>"));
        assertThat(first).isNotBlank();
        assertThat(prompts.get(1)).isEqualTo(prompts.get(0) + first + "</s><|user|>how is the weather</s><|assistant|>");
        String afterFirst = answers.substring(answers.indexOf("</prompt>") + 9);
        String second = afterFirst.substring(afterFirst.indexOf("> ") + 2, afterFirst.indexOf("\n<prompt>"));
        assertThat(second).isNotBlank();
    }

    @Test
    void resetForgetsTheConversation(@TempDir Path tmp) throws Exception {
        Path model = copyWithTemplate(tmp);
        String out = run(model, "hello there\n/reset\nhow is the weather\n/exit\n");
        assertThat(out).contains("(conversation reset)");
        int last = out.lastIndexOf("<prompt>");
        assertThat(out.substring(last)).contains("<s><|system|>be brief</s><|user|>how is the weather</s><|assistant|>")
                .doesNotContain("hello there");
    }

    @Test
    void aTurnBeyondTheContextIsReportedAndTheSessionGoesOn(@TempDir Path tmp) throws Exception {
        Path model = copyWithTemplate(tmp);
        InputStream stdin = System.in;
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String tooLong = "tell me a very long story ".repeat(100);
        try {
            System.setIn(new ByteArrayInputStream((tooLong + "\nhi\n/exit\n").getBytes(StandardCharsets.UTF_8)));
            int rc = QinsCommand.run(new PrintWriter(out), new PrintWriter(err), "chat", "--model", model.toString(), "--system",
                    "be brief", "--temperature", "0", "--max-new-tokens", "12", "--linear", "fp32", "--kv", "fp32", "--threads", "1",
                    "--show-prompt");
            assertThat(rc).as(err.toString()).isZero();
        } finally {
            System.setIn(stdin);
        }
        assertThat(err.toString()).containsPattern("qins: the conversation \\(\\d+ tokens\\) plus 12 new tokens exceeds the model's"
                + " context of 512; /reset to start over");
        // The refused turn left nothing behind: the next one is the first of the conversation.
        Matcher m = Pattern.compile("<prompt>\\R(.*?)\\R</prompt>", Pattern.DOTALL).matcher(out.toString());
        assertThat(m.find()).isTrue();
        assertThat(m.group(1)).isEqualTo("<s><|system|>be brief</s><|user|>hi</s><|assistant|>");
        assertThat(m.find()).isFalse();
    }

    @Test
    void layerOptionsReachTheProvider(@TempDir Path tmp) throws Exception {
        Path model = copyWithTemplate(tmp);
        InputStream stdin = System.in;
        StringWriter err = new StringWriter();
        try {
            System.setIn(new ByteArrayInputStream("/exit\n".getBytes(StandardCharsets.UTF_8)));
            int rc = QinsCommand.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "chat", "--model", model.toString(),
                    "--linear", "qins", "--layer-option", "decoded-cache=true", "--kv", "fp32", "--threads", "1");
            assertThat(rc).isZero();
        } finally {
            System.setIn(stdin);
        }
        assertThat(err.toString()).contains("+decoded-cache");
    }

    @Test
    void noTemplateIsAClearError() {
        StringWriter err = new StringWriter();
        int rc = QinsCommand.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "chat", "--model",
                CompareCommandTest.LLAMA.toString());
        assertThat(rc).isNotZero();
        assertThat(err.toString()).contains("no chat_template");
    }

    private static String run(Path model, String input) {
        InputStream stdin = System.in;
        StringWriter out = new StringWriter();
        try {
            System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
            int rc = QinsCommand.run(new PrintWriter(out), new PrintWriter(new StringWriter()), "chat", "--model", model.toString(),
                    "--system", "be brief", "--temperature", "0", "--max-new-tokens", "12", "--linear", "fp32", "--kv", "fp32",
                    "--threads", "2", "--show-prompt");
            assertThat(rc).isZero();
        } finally {
            System.setIn(stdin);
        }
        return out.toString();
    }

    static Path copyWithTemplate(Path tmp) throws Exception {
        Path dir = tmp.resolve("chat-llama");
        Files.createDirectories(dir);
        try (var files = Files.list(CompareCommandTest.LLAMA)) {
            for (Path f : files.toList()) {
                if (!f.getFileName().toString().equals("reference.json")) {
                    Files.copy(f, dir.resolve(f.getFileName()));
                }
            }
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode cfg = (ObjectNode) json.readTree(dir.resolve("tokenizer_config.json").toFile());
        cfg.put("chat_template", TEMPLATE);
        json.writeValue(dir.resolve("tokenizer_config.json").toFile(), cfg);
        return dir;
    }
}
