package org.qins.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import org.qins.transformer.QinsEngine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The provider choices of a command that runs one model: {@code --linear}, {@code --layer-option}, {@code --kv}, {@code --no-mmap}, {@code --threads}. */
final class ModelRunOptions {

    @Option(names = "--linear", description = "Linear layer provider (fp32, qins, ...; default: chosen by QINS_CODEC_AT_REST).")
    String linear;

    @Option(names = "--layer-option", description = "Option KEY=VALUE of the linear provider, e.g. decoded-cache=true "
            + "(qins providers lists each provider's options).")
    Map<String, String> layerOptions = new LinkedHashMap<>();

    @Option(names = "--kv", description = "KV cache provider (fp32, qins). Default: highest priority.")
    String kv;

    @Mixin
    NoMmapOption noMmap;

    @Mixin
    ThreadsOption threads;

    /** The engine these options describe; an unknown provider or option fails here, before any model loads. */
    QinsEngine engine() {
        return noMmap.apply(threads.engine().linear(linear).layerOptions(layerOptions).kv(kv)).build();
    }
}
