package org.qins.server.batch;

/**
 * Told what a submitted request produces, on the scheduler thread: implementations hand the event
 * over (to a queue) and return at once. Exactly one of {@link #onFinish} and {@link #onError} ends a
 * request that was not cancelled; a cancelled request hears nothing more.
 */
public interface JobListener {

    /** Text that is final (stop strings already cut); never empty. */
    void onText(String text);

    /** The answer is complete. */
    void onFinish(FinishReason reason, int promptTokens, int completionTokens);

    /** The request ended without an answer (server shutting down, a failed forward pass). */
    void onError(String message);
}
