package org.qins.cli;

import java.util.logging.Level;
import java.util.logging.Logger;

/** One-line log records on stderr ("INFO: Using Pattern A ..."), set before any logger exists. */
final class Logging {

    /**
     * DJL (the tokenizer's native loader) logs GPU probing and platform detection at INFO and
     * WARNING through SLF4J; on a CPU machine that is noise ("CUDA driver version is insufficient").
     * Held here because java.util.logging keeps loggers weakly.
     */
    private static final Logger DJL = Logger.getLogger("ai.djl");
    /** Jetty and Javalin (under qins serve) announce every start and stop at INFO. */
    private static final Logger JETTY = Logger.getLogger("org.eclipse.jetty");
    private static final Logger JAVALIN = Logger.getLogger("io.javalin");

    private Logging() {
    }

    static void configure() {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s: %5$s%6$s%n");
        }
        DJL.setLevel(Level.SEVERE);
        JETTY.setLevel(Level.WARNING);
        JAVALIN.setLevel(Level.WARNING);
    }
}
