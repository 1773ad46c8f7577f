package org.qins.server.batch;

/** A request handed to the scheduler. */
public interface Submission {

    /** Stops the request: a waiting one leaves the queue now, a running one frees its slot before the next step. */
    void cancel();
}
