package org.qins.transformer.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Templates as published on the Hub, and the strings transformers' apply_chat_template renders from them. */
class ChatTemplateTest {

    /** Phi-3.5-mini-instruct's template (tokenizer_config.json). */
    static final String PHI35 = "{% for message in messages %}{% if message['role'] == 'system' and message['content'] %}"
            + "{{'<|system|>\\n' + message['content'] + '<|end|>\\n'}}{% elif message['role'] == 'user' %}"
            + "{{'<|user|>\\n' + message['content'] + '<|end|>\\n'}}{% elif message['role'] == 'assistant' %}"
            + "{{'<|assistant|>\\n' + message['content'] + '<|end|>\\n'}}{% endif %}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% else %}{{ eos_token }}{% endif %}";

    /** TinyLlama-1.1B-Chat's (Zephyr-style) template. */
    static final String ZEPHYR = "{% for message in messages %}\n{% if message['role'] == 'user' %}\n"
            + "{{ '<|user|>\\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'system' %}\n"
            + "{{ '<|system|>\\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'assistant' %}\n"
            + "{{ '<|assistant|>\\n'  + message['content'] + eos_token }}\n{% endif %}\n"
            + "{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}";

    @Test
    void rendersPhi35AsTransformersDoes() {
        ChatTemplate t = new ChatTemplate(PHI35, "<s>", "<|endoftext|>");
        String s = t.render(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi"), ChatMessage.assistant("Hello!"),
                ChatMessage.user("2+2?")), true);
        assertThat(s).isEqualTo("<|system|>\nBe brief.<|end|>\n<|user|>\nHi<|end|>\n<|assistant|>\nHello!<|end|>\n"
                + "<|user|>\n2+2?<|end|>\n<|assistant|>\n");
        assertThat(t.render(List.of(ChatMessage.user("Hi")), false)).isEqualTo("<|user|>\nHi<|end|>\n<|endoftext|>");
    }

    @Test
    void rendersZephyrWithItsNewlines() {
        ChatTemplate t = new ChatTemplate(ZEPHYR, "<s>", "</s>");
        String s = t.render(List.of(ChatMessage.system("S"), ChatMessage.user("U")), true);
        assertThat(s).isEqualTo("<|system|>\nS</s>\n<|user|>\nU</s>\n<|assistant|>\n");
    }

    @Test
    void raiseExceptionSurfacesTheTemplatesMessage() {
        ChatTemplate t = new ChatTemplate("{% if messages[0]['role'] != 'user' %}{{ raise_exception('Conversation must start with user') }}"
                + "{% endif %}ok", "<s>", "</s>");
        assertThat(t.render(List.of(ChatMessage.user("x")), true)).isEqualTo("ok");
        assertThatThrownBy(() -> t.render(List.of(ChatMessage.assistant("x")), true))
                .isInstanceOf(TemplateException.class).hasMessageContaining("Conversation must start with user");
    }

    @Test
    void loadsFromTokenizerConfigIncludingTokenObjects(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"bos_token": {"content": "<s>", "lstrip": false}, "eos_token": "</s>",
                 "chat_template": "{{ bos_token }}{% for m in messages %}[{{ m['role'] }}]{{ m['content'] }}{% endfor %}{{ eos_token }}"}
                """);
        ChatTemplate t = ChatTemplate.load(dir);
        assertThat(t.render(List.of(ChatMessage.user("hey")), true)).isEqualTo("<s>[user]hey</s>");
    }

    @Test
    void aModelWithoutATemplateSaysSo(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": \"<s>\"}");
        assertThatThrownBy(() -> ChatTemplate.load(dir)).hasMessageContaining("has no chat_template");
    }
}
