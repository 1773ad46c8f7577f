package org.qins.transformer.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.interpret.FatalTemplateErrorsException;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qins.transformer.io.JsonErrors;

/**
 * A model's chat template: the Jinja {@code chat_template} of {@code tokenizer_config.json},
 * rendered with {@code messages}, {@code bos_token}, {@code eos_token} and
 * {@code add_generation_prompt}, as transformers' {@code apply_chat_template} does: Jinja with
 * {@code trim_blocks} and {@code lstrip_blocks} on, its {@code tojson}, {@code raise_exception} and
 * {@code strftime_now} ({@link JinjaEnvironment}); the source adapted where Jinjava parses Jinja
 * differently ({@link TemplateSource}); {@code ChatTemplateParityTest} compares the output with
 * Jinja2's. A template is code from the model's files, so
 * each render runs within {@link TemplateLimits} (output and string size, list size, steps, time)
 * and past them fails with a TemplateException naming the file.
 */
public final class ChatTemplate {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String source;
    private final String origin;
    private final String bosToken;
    private final String eosToken;
    private final TemplateLimits limits;
    private final RenderBudget budget;
    private final Jinjava jinja;

    public ChatTemplate(String source, String bosToken, String eosToken) {
        this(source, bosToken, eosToken, "chat template", TemplateLimits.DEFAULT);
    }

    /** A template read from {@code origin} (named in errors), rendered within {@code limits}. */
    public ChatTemplate(String source, String bosToken, String eosToken, String origin, TemplateLimits limits) {
        this.source = TemplateSource.adapt(source);
        this.origin = origin;
        this.bosToken = bosToken == null ? "" : bosToken;
        this.eosToken = eosToken == null ? "" : eosToken;
        this.limits = limits;
        this.budget = new RenderBudget(limits);
        this.jinja = JinjaEnvironment.create(limits, budget);
    }

    /** Reads {@code chat_template} (a string, or a list of named templates: "default" is used) from the model directory. */
    public static ChatTemplate load(Path modelDir) {
        return load(modelDir, TemplateLimits.DEFAULT);
    }

    /** As {@link #load(Path)}, rendering within {@code limits}. */
    public static ChatTemplate load(Path modelDir, TemplateLimits limits) {
        Path file = modelDir.resolve("tokenizer_config.json");
        JsonNode cfg;
        try {
            cfg = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new TemplateException(file + ": cannot read: " + JsonErrors.describe(e), e);
        }
        if (cfg == null || !cfg.isObject()) {
            throw new TemplateException(file + ": must hold a JSON object, got " + JsonErrors.kind(cfg));
        }
        return fromConfig(cfg, file.toString(), limits);
    }

    /** The chat template of a model directory or GGUF file ({@code tokenizer.chat_template}). */
    public static ChatTemplate of(org.qins.transformer.source.ModelSource source, TemplateLimits limits) {
        return fromConfig(source.tokenizerConfig(), source.tokenizerConfigName(), limits);
    }

    /**
     * The template of a tokenizer_config.json document that {@code origin} holds (a file, or a GGUF file
     * whose metadata gave it), rendered within {@code limits}.
     */
    public static ChatTemplate fromConfig(JsonNode cfg, String origin, TemplateLimits limits) {
        String file = origin;
        JsonNode t = cfg.get("chat_template");
        String template = null;
        if (t != null && t.isTextual()) {
            template = t.asText();
        } else if (t != null && t.isArray()) {
            for (JsonNode named : t) {
                if ("default".equals(named.path("name").asText()) && named.path("template").isTextual()) {
                    template = named.path("template").asText();
                }
            }
        } else if (t != null && !t.isNull()) {
            throw new TemplateException(file + ": chat_template must be a string or a list of {name, template}, got " + t.getNodeType());
        }
        if (template == null) {
            throw new TemplateException(file + " has no chat_template; this model has no chat format (use qins generate)");
        }
        return new ChatTemplate(template, token(cfg, "bos_token"), token(cfg, "eos_token"), file + ": chat_template", limits);
    }

    /** A special token given as a string or as {"content": ...}. */
    private static String token(JsonNode cfg, String key) {
        JsonNode n = cfg.get(key);
        if (n == null || n.isNull()) {
            return "";
        }
        return n.isTextual() ? n.asText() : n.path("content").asText("");
    }

    public String bosToken() {
        return bosToken;
    }

    public String eosToken() {
        return eosToken;
    }

    /** The prompt text for {@code messages}; with {@code addGenerationPrompt} it ends where the assistant's answer begins. */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        List<Map<String, Object>> msgs = new ArrayList<>();
        for (ChatMessage m : messages) {
            Map<String, Object> msg = new LinkedHashMap<>(); // tojson writes keys in this order, as Python's dicts
            msg.put("role", m.role());
            msg.put("content", m.content());
            msgs.add(msg);
        }
        Map<String, Object> ctx = new HashMap<>(JinjaEnvironment.globals());
        ctx.put("messages", msgs);
        ctx.put("bos_token", bosToken);
        ctx.put("eos_token", eosToken);
        ctx.put("add_generation_prompt", addGenerationPrompt);
        RenderResult r;
        budget.start();
        try {
            r = jinja.renderForResult(source, ctx);
        } catch (RenderBudget.Exceeded e) {
            throw new TemplateException(origin + ": stopped: " + e.getMessage() + "; limits: " + limits);
        } catch (FatalTemplateErrorsException e) {
            throw new TemplateException(origin + " failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            TemplateException te = templateCause(e);
            if (te != null) {
                throw new TemplateException(origin + ": " + te.getMessage(), te);
            }
            throw new TemplateException(origin + " failed: " + e, e);
        } finally {
            budget.stop();
        }
        for (TemplateError err : r.getErrors()) {
            if (err.getSeverity() == TemplateError.ErrorType.FATAL) {
                TemplateException te = templateCause(err.getException());
                if (te != null) {
                    throw new TemplateException(origin + ": " + te.getMessage(), te);
                }
                throw new TemplateException(origin + " failed at line " + err.getLineno() + ": " + err.getMessage());
            }
        }
        return r.getOutput();
    }

    /** A TemplateException (raise_exception) among the causes of {@code e}, or null. */
    private static TemplateException templateCause(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof TemplateException te) {
                return te;
            }
        }
        return null;
    }
}
