package org.qins.cli;

import org.qins.transformer.QinsEngine;
import picocli.CommandLine.Option;

/** {@code --no-mmap}, shared by every command that runs a model. */
final class NoMmapOption {

    @Option(names = "--no-mmap", description = "Copy the weights into memory at load instead of computing on the mapped checkpoint "
            + "(as llama.cpp's --no-mmap): faster where mapped pages read slowly (a checkpoint cached in 4 KiB pages); "
            + "costs the copy at load.")
    boolean noMmap;

    /** {@code builder} with the weights in memory when {@code --no-mmap} was given. */
    QinsEngine.Builder apply(QinsEngine.Builder builder) {
        return builder.weightsInMemory(noMmap);
    }
}
