package org.qins.cli;

/** One-line log records on stderr ("INFO: Using Pattern A ..."), set before any logger exists. */
final class Logging {

    private Logging() {
    }

    static void configure() {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s: %5$s%6$s%n");
        }
    }
}
