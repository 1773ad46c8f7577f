package org.qins.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.TreeSet;
import org.qins.api.KvCacheProvider;
import org.qins.api.LinearLayerProvider;
import org.qins.api.OptionSpec;
import org.qins.api.WeightFormat;
import org.qins.transformer.QinsEngine;
import org.qins.transformer.arch.Architecture;
import org.qins.transformer.arch.ArchitectureRegistry;
import org.qins.transformer.provider.CodecAtRestFlag;
import org.qins.transformer.provider.ProviderSelector;
import org.qins.transformer.provider.Selection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qins providers}: every provider and weight format on the classpath, their options, and which would be selected. */
@Command(name = "providers", description = "List the weight formats, linear-layer and KV-cache providers found, their options,"
        + " the model architectures, and which provider would be selected.")
final class ProvidersCommand implements Runnable {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--format", defaultValue = "f32", description = "Stored weight format to select for (f32, bf16, qins9, ...). Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--linear", description = "Explicit linear provider name, as generate would take it.")
    String linear;

    @Option(names = "--kv", description = "Explicit KV cache provider name.")
    String kv;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        ProviderSelector selector;
        try (QinsEngine engine = QinsEngine.builder().threads(1).build()) {
            selector = engine.providers();
        }
        requireKnown(selector);
        out.println("Weight formats (qins convert --format NAME --format-option KEY=VALUE):");
        for (WeightFormat f : selector.registry().formats().all()) {
            out.printf("  %-12s %s%n", f.name(), f.description());
            options(out, f.options());
        }
        out.println("Linear layer providers (highest priority first; --linear NAME --layer-option KEY=VALUE):");
        for (LinearLayerProvider p : selector.registry().linearProviders()) {
            out.printf("  %-12s priority %3d  %s%s%n", p.name(), p.priority(), p.deprecated() ? "DEPRECATED: " : "", p.description());
            out.printf("  %-12s reads: %s%s%n", "", String.join(", ", new TreeSet<>(p.formats())),
                    p.preferredFormat() == null ? "" : "; converts to " + p.preferredFormat());
            options(out, p.options());
        }
        out.println("KV cache providers:");
        for (KvCacheProvider p : selector.registry().kvProviders()) {
            out.printf("  %-12s priority %3d  %s%n", p.name(), p.priority(), p.description());
        }
        out.println("Model architectures (config.json's architectures[0]; more from jars with an ArchitectureProvider):");
        for (Architecture a : ArchitectureRegistry.standard().all()) {
            out.printf("  %-20s %s%n", a.className(), a.summary());
        }
        String raw = CodecAtRestFlag.rawValue();
        out.printf("%nFlag %s = %s%n", CodecAtRestFlag.ENV, raw == null ? "unset (default 1: Pattern A)" : raw);
        try {
            Selection<LinearLayerProvider> s = selector.chooseLinear(linear, format);
            out.printf("Selected linear provider for %s weights: %s (%s)%n", format, s.provider().name(), s.reason());
        } catch (IllegalArgumentException e) {
            out.printf("Selected linear provider for %s weights: none: %s%n", format, e.getMessage());
        }
        try {
            Selection<KvCacheProvider> s = selector.chooseKv(kv);
            out.printf("Selected KV cache provider: %s (%s)%n", s.provider().name(), s.reason());
        } catch (IllegalArgumentException e) {
            out.printf("Selected KV cache provider: none: %s%n", e.getMessage());
        }
        out.flush();
    }

    /** A misspelt name is an error, not a listing that says "none". */
    private void requireKnown(ProviderSelector selector) {
        Checks check = new Checks(spec);
        var r = selector.registry();
        if (!r.formats().has(format)) {
            throw check.fail("--format " + format + ": no weight format of that name; the classpath has "
                    + r.formats().all().stream().map(WeightFormat::name).toList());
        }
        if (linear != null && !r.hasLinear(linear)) {
            throw check.fail("--linear " + linear + ": no linear provider of that name; the classpath has "
                    + r.linearProviders().stream().map(LinearLayerProvider::name).toList());
        }
        if (kv != null && !r.hasKv(kv)) {
            throw check.fail("--kv " + kv + ": no KV cache provider of that name; the classpath has "
                    + r.kvProviders().stream().map(KvCacheProvider::name).toList());
        }
    }

    private static void options(PrintWriter out, List<OptionSpec> options) {
        for (OptionSpec o : options) {
            out.printf("  %-12s   option %s%n", "", o.summary());
        }
    }
}
