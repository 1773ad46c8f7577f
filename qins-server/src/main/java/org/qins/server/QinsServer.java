package org.qins.server;

import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.qins.api.KvCacheProvider;
import org.qins.server.batch.BatchScheduler;
import org.qins.server.openai.ApiException;
import org.qins.server.openai.ResponseBodies;

/**
 * {@code qins serve}: the OpenAI endpoints ({@code /v1/chat/completions}, {@code /v1/completions},
 * {@code /v1/models}), {@code /health} and the chat page at {@code /}, on Javalin (Jetty, one virtual
 * thread per request), over a {@link BatchScheduler}. {@link #start} plans the memory first and
 * refuses to start when the plan does not fit.
 */
public final class QinsServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(QinsServer.class.getName());
    /** Largest request body (a long conversation is well under this). */
    static final long MAX_BODY = 4L << 20;

    private final ServerConfig config;
    private final BatchScheduler scheduler;
    private final OpenAiEndpoints endpoints;
    private final MemoryPlan plan;
    private final Javalin app;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final byte[] key;
    private boolean stopping;
    private int port;

    private QinsServer(ServerConfig config, ServedModel served, KvCacheProvider kv, MemoryPlan plan) {
        this.config = config;
        this.plan = plan;
        this.key = config.apiKey() == null ? null : config.apiKey().getBytes(StandardCharsets.UTF_8);
        this.scheduler = new BatchScheduler(served.model(), kv, served.tokenizer(), config.limits());
        this.endpoints = new OpenAiEndpoints(served, scheduler, plan);
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.concurrency.useVirtualThreads = true;
            cfg.http.compressionStrategy = CompressionStrategy.NONE;
            cfg.http.maxRequestSize = MAX_BODY;
            cfg.jetty.host = config.host();
            cfg.jetty.port = config.port();
            cfg.routes.before(ctx -> inFlight.incrementAndGet());
            cfg.routes.after(ctx -> inFlight.decrementAndGet());
            cfg.routes.before("/v1/*", this::authorize);
            cfg.routes.get("/", QinsServer::page);
            cfg.routes.get("/health", endpoints::health);
            cfg.routes.get("/v1/models", endpoints::models);
            cfg.routes.post("/v1/chat/completions", endpoints::chat);
            cfg.routes.post("/v1/completions", endpoints::completions);
            cfg.routes.exception(ApiException.class, QinsServer::error);
            cfg.routes.exception(Exception.class, (e, ctx) -> {
                LOG.log(System.Logger.Level.ERROR, "request failed: " + ctx.method() + " " + ctx.path(), e);
                error(ApiException.internal("the server failed on this request: " + e), ctx);
            });
            cfg.routes.error(404, ctx -> {
                if (!answeredInJson(ctx)) {
                    error(ApiException.notFound("no such endpoint: " + ctx.method() + " " + ctx.path()), ctx);
                }
            });
            cfg.routes.error(413, ctx -> {
                if (!answeredInJson(ctx)) {
                    error(new ApiException(413, "invalid_request_error", null, "request_too_large", "the body is larger than "
                            + MAX_BODY + " bytes", null), ctx);
                }
            });
            cfg.routes.error(405, ctx -> {
                if (!answeredInJson(ctx)) {
                    error(new ApiException(405, "invalid_request_error", null, "method_not_allowed", "method " + ctx.method()
                            + " is not allowed on " + ctx.path(), null), ctx);
                }
            });
        });
    }

    /**
     * Plans the memory (printing nothing; see {@link #plan()}), refuses with an
     * {@link IllegalStateException} when it does not fit, then starts the scheduler and the HTTP server.
     */
    public static QinsServer start(ServerConfig config, ServedModel served, KvCacheProvider kv) {
        MemoryPlan plan = MemoryPlan.of(served.model(), kv, config.limits());
        plan.check();
        QinsServer server = new QinsServer(config, served, kv, plan);
        try {
            server.app.start();
            server.port = server.app.port();
        } catch (RuntimeException e) {
            server.scheduler.close();
            throw e;
        }
        return server;
    }

    public MemoryPlan plan() {
        return plan;
    }

    /** The port listened on (the chosen one when the config said 0). */
    public int port() {
        return port;
    }

    public String url() {
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return "http://" + host + ":" + port();
    }

    public BatchScheduler scheduler() {
        return scheduler;
    }

    /**
     * Graceful stop: new requests get 503, waiting ones an error; running answers may finish within
     * the configured grace, after which their streams end with an error chunk; then the HTTP server
     * stops (after the request threads wrote their last bytes, at most two more seconds).
     */
    public void stop() {
        synchronized (this) {
            if (stopping) {
                return;
            }
            stopping = true;
        }
        endpoints.closing();
        try {
            scheduler.shutdown(config.shutdownGrace());
            long until = System.nanoTime() + 2_000_000_000L;
            while (inFlight.get() > 0 && System.nanoTime() < until) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            app.stop();
            stopped.countDown();
        }
    }

    /** Waits until {@link #stop()} has finished. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        stop();
    }

    private void authorize(Context ctx) {
        if (key == null) {
            return;
        }
        String auth = ctx.header("Authorization");
        byte[] given = auth != null && auth.startsWith("Bearer ") ? auth.substring(7).strip().getBytes(StandardCharsets.UTF_8) : null;
        if (given == null || !MessageDigest.isEqual(given, key)) {
            throw ApiException.unauthorized();
        }
    }

    private static void page(Context ctx) throws IOException {
        try (InputStream in = QinsServer.class.getResourceAsStream("/web/index.html")) {
            if (in == null) {
                throw new IOException("web/index.html is missing from the classpath");
            }
            ctx.contentType("text/html; charset=utf-8").result(in.readAllBytes());
        }
    }

    /** True when a handler already answered in the OpenAI shape (Javalin's own 404 and 405 answer in plain text). */
    private static boolean answeredInJson(Context ctx) {
        String type = ctx.res().getContentType();
        return type != null && type.startsWith("application/json");
    }

    private static void error(ApiException e, Context ctx) {
        if (e.retryAfterSeconds() != null) {
            ctx.header("Retry-After", String.valueOf(e.retryAfterSeconds()));
        }
        OpenAiEndpoints.json(ctx, e.status(), ResponseBodies.error(e));
    }
}
