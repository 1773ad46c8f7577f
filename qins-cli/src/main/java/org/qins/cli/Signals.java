package org.qins.cli;

/**
 * SIGTERM and SIGINT start a graceful stop instead of the JVM's shutdown, so that the command
 * finishes its work and exits 0. Through {@code sun.misc.Signal} (module jdk.unsupported): the JDK
 * has no supported API for this, and a shutdown hook cannot choose the exit status (143).
 */
final class Signals {

    private Signals() {
    }

    static void onTermination(Runnable stop) {
        for (String name : new String[] {"TERM", "INT"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), s -> Thread.ofPlatform().name("qins-stop").start(stop));
        }
    }
}
