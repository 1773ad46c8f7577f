package org.qins.transformer.fuzz;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/** A loader under fuzzing: its corpus, how to mutate an input, how to run one, and which error type is a clear refusal. */
interface FuzzTarget {

    String name();

    /** Seeds and past findings, run unchanged first. */
    List<FuzzInput> corpus();

    FuzzInput mutate(Random r, FuzzInput seed, List<FuzzInput> corpus);

    /** Loads (and uses) the files written into {@code dir}; returns when the input is accepted. */
    void run(Path dir) throws Exception;

    /** The exception type of a clear refusal; its message must also name the directory's file. */
    Class<? extends RuntimeException> clearError();

    /** True when {@code t} is a clear refusal (by default: a {@link #clearError()}). */
    default boolean isClear(Throwable t) {
        return clearError().isInstance(t);
    }
}
