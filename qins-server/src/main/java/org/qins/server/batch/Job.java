package org.qins.server.batch;

import org.qins.transformer.generate.Sampler;
import org.qins.transformer.generate.StopStrings;
import org.qins.transformer.model.Sequence;
import org.qins.transformer.tokenizer.StreamDecoder;
import org.qins.transformer.tokenizer.Tokenizer;

/**
 * One request inside the scheduler: its sequence (KV cache) once admitted, how much of the prompt
 * was fed, its sampler and the text decoding state. Touched by the scheduler thread only, except
 * {@link #cancel()}.
 */
final class Job implements Submission {

    final GenerationRequest request;
    final JobListener listener;
    final Sampler sampler;
    final StreamDecoder decoder;
    final StopStrings stops;
    private final int[] stopIds;
    private final Runnable onCancel;
    private volatile boolean cancelled;
    Sequence sequence;
    int fed;
    int generated;
    int lastToken = -1;
    boolean ended;

    Job(GenerationRequest request, JobListener listener, Tokenizer tokenizer, Runnable onCancel) {
        this.request = request;
        this.listener = listener;
        this.sampler = new Sampler(request.temperature(), request.topP(), request.seed());
        this.decoder = new StreamDecoder(tokenizer);
        this.stops = new StopStrings(request.stopStrings());
        this.stopIds = request.stopTokens().stream().mapToInt(Integer::intValue).toArray();
        this.onCancel = onCancel;
    }

    @Override
    public void cancel() {
        if (!cancelled) {
            cancelled = true;
            onCancel.run();
        }
    }

    boolean cancelled() {
        return cancelled;
    }

    boolean prefilling() {
        return fed < request.prompt().length;
    }

    boolean isStopToken(int token) {
        for (int id : stopIds) {
            if (id == token) {
                return true;
            }
        }
        return false;
    }
}
