package org.qins.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.qins.api.KvCacheProvider;
import org.qins.server.QinsServer;
import org.qins.server.ServedModel;
import org.qins.server.ServerConfig;
import org.qins.server.batch.BatchScheduler;
import org.qins.transformer.QinsEngine;
import org.qins.transformer.chat.ChatTemplate;
import org.qins.transformer.chat.TemplateException;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qins serve}: the OpenAI-compatible HTTP server with continuous batching and the chat page. */
@Command(name = "serve", description = {"Serve a model over an OpenAI-compatible HTTP API (/v1/chat/completions, /v1/completions, "
        + "/v1/models, /health) with continuous batching, and a chat page at /.", "SIGTERM or Ctrl+C stops it gracefully (exit 0)."})
final class ServeCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, description = "Model directory with tokenizer.json (a chat_template enables chat).")
    Path model;

    @Option(names = "--host", defaultValue = ServerConfig.DEFAULT_HOST, description = "Address to bind. Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port (0: any free one). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--max-sequences", defaultValue = "8", description = "Requests generated together (one batched step). "
            + "Default: ${DEFAULT-VALUE}.")
    int maxSequences;

    @Option(names = "--max-context", description = "Tokens per request, prompt + answer (default: the model's max_position_embeddings).")
    Integer maxContext;

    @Option(names = "--max-queue", defaultValue = "256", description = "Requests that may wait for a slot; more get 503 with "
            + "Retry-After. Default: ${DEFAULT-VALUE}.")
    int maxQueue;

    @Option(names = "--prefill-chunk", defaultValue = "64", description = "Prompt tokens fed per step over all requests still "
            + "reading their prompt (longer prompts are fed over several steps). Default: ${DEFAULT-VALUE}.")
    int prefillChunk;

    @Option(names = "--api-key", description = "Require 'Authorization: Bearer KEY' on /v1/*.")
    String apiKey;

    @Option(names = "--model-name", description = "The model id clients name (default: the directory's name).")
    String modelName;

    @Option(names = "--shutdown-grace", defaultValue = "10", description = "Seconds running answers may go on after SIGTERM. "
            + "Default: ${DEFAULT-VALUE}.")
    int shutdownGrace;

    @Mixin
    ModelRunOptions run;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        Checks check = new Checks(spec);
        check.within("--port", port, 0, 65535, null);
        check.atLeast("--max-sequences", maxSequences, 1);
        check.atLeast("--max-queue", maxQueue, 0);
        check.atLeast("--prefill-chunk", prefillChunk, 1);
        check.atLeast("--shutdown-grace", shutdownGrace, 0);
        if (apiKey != null && apiKey.isBlank()) {
            throw check.fail("--api-key: blank; give a key or leave the option out");
        }
        int modelContext = check.model("--model", model).maxPositionEmbeddings();
        if (maxContext != null) {
            check.within("--max-context", maxContext, 2, modelContext, "max_position_embeddings in " + model.resolve("config.json"));
        }
        int context = maxContext == null ? modelContext : maxContext;
        requireFreePort(check);
        ChatTemplate template = null;
        String chatNote;
        try {
            template = ChatTemplate.load(model);
            chatNote = "chat template from tokenizer_config.json";
        } catch (TemplateException e) {
            chatNote = "no chat template (" + e.getMessage() + "): /v1/chat/completions answers 400, /v1/completions works";
        }
        try (Tokenizer tokenizer = Tokenizer.load(model); QinsEngine engine = run.engine(); CausalLm lm = engine.load(model)) {
            KvCacheProvider kv = engine.kvCache();
            String id = modelName != null ? modelName : model.toAbsolutePath().normalize().getFileName().toString();
            ServerConfig config = new ServerConfig(host, port, apiKey,
                    new BatchScheduler.Limits(maxSequences, context, maxQueue, prefillChunk), Duration.ofSeconds(shutdownGrace));
            QinsServer server = QinsServer.start(config, new ServedModel(id, lm, tokenizer, template), kv);
            err.println(server.plan().describe());
            err.printf("serving '%s' (%s; kv %s; %d threads; %s) with up to %d sequences of %d tokens at %s/v1 (chat page: %s/)%n", id,
                    lm.describeLinear(), kv.name(), engine.threads(), chatNote, maxSequences, context, server.url(), server.url());
            err.flush();
            Signals.onTermination(server::stop);
            server.awaitStop();
            err.println("stopped");
            err.flush();
        }
        return 0;
    }

    /** Binds --host:--port for a moment, so a busy port or an unknown host is refused before the model loads. */
    private void requireFreePort(Checks check) {
        if (port == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(InetAddress.getByName(host), port));
        } catch (IOException e) {
            throw check.fail("--host " + host + " --port " + port + ": cannot listen there (" + e.getMessage() + ")");
        }
    }
}
