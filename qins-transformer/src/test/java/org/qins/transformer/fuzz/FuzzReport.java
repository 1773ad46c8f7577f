package org.qins.transformer.fuzz;

import java.util.List;
import java.util.Map;

/**
 * What a fuzz run did: executions, accepted inputs, clear refusals (by kind of message), and the
 * findings (any other outcome: a crash, an unclear error, a hang), each with its saved input; and
 * how long the slowest executions took.
 */
record FuzzReport(String target, long seed, int executions, int accepted, int refused, Map<String, Integer> refusalKinds,
        List<String> findings, double seconds, long slowestMillis, int slowExecutions, long slowMillis) {

    String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("fuzz %s: %d executions in %.1f s (%.0f/s), seed %d: %d accepted, %d refused with a clear error,"
                + " %d findings%n", target, executions, seconds, executions / Math.max(seconds, 1e-9), seed, accepted, refused,
                findings.size()));
        sb.append(String.format("  slowest execution %d ms; %d executions of 100 ms or more took %.1f s%n", slowestMillis,
                slowExecutions, slowMillis / 1e3));
        refusalKinds.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(12)
                .forEach(e -> sb.append(String.format("  %7d  %s%n", e.getValue(), e.getKey())));
        findings.forEach(f -> sb.append("  FINDING ").append(f).append('\n'));
        return sb.toString();
    }
}
