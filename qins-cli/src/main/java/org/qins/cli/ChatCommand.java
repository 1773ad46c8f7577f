package org.qins.cli;

import org.qins.transformer.chat.TemplateLimits;
import org.qins.transformer.source.ModelSource;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.qins.api.KvCacheProvider;
import org.qins.transformer.chat.ChatSession;
import org.qins.transformer.chat.ChatTemplate;
import org.qins.transformer.chat.ContextFullException;
import org.qins.transformer.chat.TemplateException;
import org.qins.transformer.config.ModelConfig;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import org.qins.transformer.QinsEngine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qins chat}: an interactive conversation on standard input, with the model's chat template. */
@Command(name = "chat", description = {"Chat with a model: reads your lines from standard input, renders the conversation with "
        + "the model's chat template and streams the answer.", "Commands: /reset (forget the conversation), /exit."})
final class ChatCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, description = "Hugging Face model directory with tokenizer.json and a chat_template, or a GGUF file.")
    Path model;

    @Option(names = "--system", description = "System message.")
    String system;

    @Option(names = "--max-new-tokens", defaultValue = "256", description = "Per answer. Default: ${DEFAULT-VALUE}.")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "0.7", description = "0 = greedy. Default: ${DEFAULT-VALUE}.")
    float temperature;

    @Option(names = "--top-p", defaultValue = "0.9", description = "Default: ${DEFAULT-VALUE}.")
    float topP;

    @Option(names = "--seed", defaultValue = "0", description = "Sampling seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Mixin
    ModelRunOptions run;

    @Option(names = "--show-prompt", description = "Print each rendered prompt (between <prompt> lines) before the answer.")
    boolean showPrompt;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Checks check = new Checks(spec);
        check.temperature(temperature);
        check.topP(topP);
        ModelConfig config = check.model("--model", model);
        check.within("--max-new-tokens", maxNewTokens, 1, config.maxPositionEmbeddings() - 1L, "the model's context of "
                + config.maxPositionEmbeddings() + " less one token for the prompt");
        ModelSource source = ModelSource.of(model);
        ChatTemplate template = ChatTemplate.of(source, TemplateLimits.DEFAULT);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (QinsEngine engine = run.engine(); CausalLm lm = engine.load(model); Tokenizer tokenizer = source.tokenizer()) {
            KvCacheProvider cache = engine.kvCache();
            ChatSession chat = new ChatSession(lm, cache, tokenizer, template, system, maxNewTokens, temperature, topP, seed);
            err.printf("chat with %s (%s; kv %s). /reset forgets the conversation, /exit ends.%n", model, lm.describeLinear(),
                    cache.name());
            err.flush();
            while (true) {
                out.print("> ");
                out.flush();
                String line = in.readLine();
                if (line == null || line.strip().equals("/exit")) {
                    break;
                }
                if (line.strip().equals("/reset")) {
                    chat.reset();
                    out.println("(conversation reset)");
                    continue;
                }
                if (line.isBlank()) {
                    continue;
                }
                ChatSession.Turn[] turn = new ChatSession.Turn[1];
                try {
                    turn[0] = chat.send(line, piece -> {
                        out.print(piece);
                        out.flush();
                    });
                } catch (ContextFullException | TemplateException e) {
                    // this turn only: the conversation is as before it, so /reset or a shorter message can follow
                    out.println();
                    out.flush();
                    err.println("qins: " + e.getMessage());
                    err.flush();
                    continue;
                }
                out.println();
                if (showPrompt) {
                    out.println("<prompt>");
                    out.println(turn[0].prompt());
                    out.println("</prompt>");
                }
                err.printf("[%d prompt tokens, %d from the cache; %d answer tokens%s]%n", turn[0].promptTokens(),
                        turn[0].reusedTokens(), turn[0].tokens().length, turn[0].stopped() ? ", end of turn" : "");
                err.flush();
            }
        }
        out.println();
        out.flush();
        return 0;
    }
}
