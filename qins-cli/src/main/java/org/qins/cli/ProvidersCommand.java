package org.qins.cli;

import com.google.inject.Guice;
import java.io.PrintWriter;
import java.util.List;
import org.qins.api.CodecAtRest;
import org.qins.api.KvCacheProvider;
import org.qins.api.LinearLayerProvider;
import org.qins.transformer.provider.ProviderSelector;
import org.qins.transformer.provider.ProvidersModule;
import org.qins.transformer.provider.Selection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qins providers}: every provider on the classpath, and which one would be selected, and why. */
@Command(name = "providers", description = "List the linear-layer and KV-cache providers found, and which would be selected.")
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
        ProviderSelector selector = Guice.createInjector(new ProvidersModule()).getInstance(ProviderSelector.class);
        out.println("Linear layer providers (highest priority first):");
        for (LinearLayerProvider p : selector.registry().linearProviders()) {
            out.printf("  %-12s priority %3d  %s%n", p.name(), p.priority(), p.description());
            out.printf("  %-12s %s%n", "", "loads: " + supported(p) + (p.canEncode() ? "; encodes" : ""));
        }
        out.println("KV cache providers:");
        for (KvCacheProvider p : selector.registry().kvProviders()) {
            out.printf("  %-12s priority %3d  %s%n", p.name(), p.priority(), p.description());
        }
        String raw = CodecAtRest.rawValue();
        out.printf("%nFlag %s = %s%n", CodecAtRest.ENV, raw == null ? "unset (default 1: Pattern A)" : raw);
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

    private static String supported(LinearLayerProvider p) {
        List<String> formats = List.of("f32", "f16", "bf16", "qins9", "qins8", "qins8-seed").stream().filter(p::supports).toList();
        return formats.isEmpty() ? "(none of f32/f16/bf16/qins9/qins8/qins8-seed)" : String.join(", ", formats);
    }
}
