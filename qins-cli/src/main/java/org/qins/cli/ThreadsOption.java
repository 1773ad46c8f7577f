package org.qins.cli;

import org.qins.transformer.QinsEngine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --threads}, shared by every command that runs a model; checked against the worker pool's limit as it is parsed. */
final class ThreadsOption {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    private Integer threads;

    @Option(names = "--threads", description = "Worker threads (default: available processors).")
    void threads(int n) {
        String problem = Checks.threadsProblem(n);
        if (problem != null) {
            throw new ParameterException(spec.commandLine(), problem);
        }
        threads = n;
    }

    /** An engine builder with these threads (and providers from the classpath). */
    QinsEngine.Builder engine() {
        return QinsEngine.builder().threads(threads);
    }
}
