package org.qins.server;

import java.time.Duration;
import org.qins.server.batch.BatchScheduler;

/**
 * How a server listens and schedules.
 *
 * @param host          address to bind (loopback by default)
 * @param port          0 = any free port
 * @param apiKey        when set, {@code /v1/*} requires {@code Authorization: Bearer <apiKey>}
 * @param limits        the scheduler's limits
 * @param shutdownGrace how long running answers may go on after a shutdown begins
 */
public record ServerConfig(String host, int port, String apiKey, BatchScheduler.Limits limits, Duration shutdownGrace) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    public static final int DEFAULT_MAX_SEQUENCES = 8;
    public static final int DEFAULT_MAX_QUEUE = 256;
    public static final int DEFAULT_PREFILL_CHUNK = 64;
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);

    public ServerConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 to 65535, got " + port);
        }
        if (apiKey != null && apiKey.isBlank()) {
            throw new IllegalArgumentException("the API key must not be blank");
        }
    }
}
