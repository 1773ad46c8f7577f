package org.qins.cli;

import org.qins.transformer.QinsEngine;
import picocli.CommandLine.Option;

/** {@code --threads}, shared by every command that runs a model. */
final class ThreadsOption {

    @Option(names = "--threads", description = "Worker threads (default: available processors).")
    Integer threads;

    /** An engine builder with these threads (and providers from the classpath). */
    QinsEngine.Builder engine() {
        return QinsEngine.builder().threads(threads);
    }
}
