package org.qins.transformer.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.el.JinjavaProcessors;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.loader.ResourceNotFoundException;
import java.util.Map;
import jinjava.javax.el.CompositeELResolver;

/**
 * A Jinjava configured to render chat templates as transformers' Jinja2 sandbox does:
 * {@code trim_blocks} ({@code lstrip_blocks} and {@code keep_trailing_newline=False} are applied to the
 * source by {@link TemplateSource}: Jinjava's lstrip acts mid-line too, its trailing newline option on the
 * output); Jinja's readings where Jinjava's defaults differ
 * (each override below says which); Python's {@code str} methods on strings;
 * transformers' {@code tojson}, {@code raise_exception} and {@code strftime_now}; and
 * {@code py_slice} for the slices {@link TemplateSource} rewrites. Jinjava's "natural operator
 * precedence" stays off: it reads {@code not x|length} as {@code (not x)|length}, unlike Jinja.
 * Known differences left: {@code {{ true }}} prints {@code true}, {@code {{ none }}} nothing, a list or
 * dict in Java's notation (Jinja: {@code True}, {@code None}, Python's repr; Jinjava's Python-like
 * printer would also escape control characters inside plain strings, which Jinja writes as they are);
 * an undefined name {@code is none} (Jinja: it is not, it is undefined). Family templates print
 * strings only and guard optional fields with {@code is defined}.
 */
final class JinjaEnvironment {

    private JinjaEnvironment() {
    }

    /**
     * A Jinjava that renders within {@code limits}: output, string, list and map sizes, and the
     * {@code budget}'s steps and time (it sees every node); no template can include, import or
     * extend anything, as in transformers' sandbox, which has no loader.
     */
    static Jinjava create(TemplateLimits limits, RenderBudget budget) {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStringResolver());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        Jinjava jinja = new Jinjava(JinjavaConfig.newBuilder().withTrimBlocks(true).withKeepTrailingNewline(true).withElResolver(resolver)
                .withMaxOutputSize(limits.maxChars()).withMaxStringLength(limits.maxChars())
                .withMaxListSize(limits.maxItems()).withMaxMapSize(limits.maxItems())
                .withProcessors(JinjavaProcessors.newBuilder().withNodePreProcessor(budget).build())
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUseTrimmingForNotesAndExpressions(true) // {{- x -}} trims as {%- -%} does
                        .withParseWhitespaceControlStrictly(true) // only a '-' touching the delimiter trims: {{ -1 }} is -1
                        .withEvaluateMapKeys(true) // {k: v} uses the value of k
                        .withIterateOverMapKeys(true) // for k in dict: the keys
                        .build())
                .build());
        jinja.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception", TemplateFunctions.class,
                "raiseException", String.class));
        jinja.getGlobalContext().registerFunction(new ELFunctionDefinition("", "strftime_now", TemplateFunctions.class,
                "strftimeNow", String.class));
        jinja.getGlobalContext().registerFilter(new TojsonFilter());
        jinja.getGlobalContext().registerFilter(new PySliceFilter());
        jinja.setResourceLocator((name, charset, interpreter) -> {
            throw new ResourceNotFoundException("a chat template cannot include or import '" + name + "'");
        });
        return jinja;
    }

    /**
     * Variables every rendering sees besides the conversation: the function names, so that
     * {@code strftime_now is defined} holds as in transformers' environment, where functions are globals.
     */
    static Map<String, Object> globals() {
        return Map.of("raise_exception", "function raise_exception", "strftime_now", "function strftime_now");
    }
}
