package org.qins.server;

import java.util.concurrent.LinkedBlockingQueue;
import org.qins.server.batch.FinishReason;
import org.qins.server.batch.JobListener;
import org.qins.server.openai.Usage;

/**
 * Hands a request's events from the scheduler thread (which must never wait on a client) to the
 * request's own HTTP thread, which writes them. Unbounded, but a request produces at most
 * {@code max_tokens} text events and one end.
 */
final class EventStream implements JobListener {

    sealed interface Event permits Text, Finished, Failed {
    }

    record Text(String text) implements Event {
    }

    record Finished(FinishReason reason, Usage usage) implements Event {
    }

    record Failed(String message) implements Event {
    }

    private final LinkedBlockingQueue<Event> queue = new LinkedBlockingQueue<>();

    @Override
    public void onText(String text) {
        queue.add(new Text(text));
    }

    @Override
    public void onFinish(FinishReason reason, int promptTokens, int completionTokens) {
        queue.add(new Finished(reason, new Usage(promptTokens, completionTokens)));
    }

    @Override
    public void onError(String message) {
        queue.add(new Failed(message));
    }

    /** The next event, waiting for it. */
    Event take() throws InterruptedException {
        return queue.take();
    }
}
