package dev.neox4j.engine.runtime;

/**
 * The sequences of one client request (its {@code n} choices, or one per prompt): the engine runs and counts each
 * sequence on its own ({@link EngineObserver#finished}), and tells {@link EngineObserver#requestFinished} once, when
 * the last of them has ended, with the request's outcome: {@code rejected} if one was refused, else {@code error}
 * if one failed, else {@code cancelled} if one was cancelled, else {@code success}. Get one from
 * {@link Engine#requestGroup}; a request without a group is a request of its own. Thread-safe.
 */
public final class RequestGroup {

    private final String source;
    private final Observers observers;
    private int open;
    /** The outcome so far; null until a sequence has ended or been refused. */
    private String outcome;
    private boolean notified;

    RequestGroup(int sequences, String source, Observers observers) {
        if (sequences < 1) {
            throw new IllegalArgumentException("a request has at least one sequence, got " + sequences);
        }
        this.open = sequences;
        this.source = source == null ? "engine" : source;
        this.observers = observers;
    }

    /** One sequence ended with {@code outcome} ({@code success}, {@code error}, {@code cancelled}, {@code rejected}). */
    void ended(String outcome) {
        close(1, outcome);
    }

    /**
     * {@code sequences} of the group will not run because submitting one of them failed: they count as ended, with
     * {@code outcome} ({@code rejected} when the queue was full; null when they were refused before the queue, e.g.
     * a prompt too long, which is no request the engine ran). A group none of whose sequences ran or was rejected
     * is not reported.
     */
    public void abandon(int sequences, String outcome) {
        close(sequences, outcome);
    }

    private void close(int sequences, String outcome) {
        String done;
        synchronized (this) {
            if (outcome != null && (this.outcome == null || rank(outcome) > rank(this.outcome))) {
                this.outcome = outcome;
            }
            open -= sequences;
            if (open > 0 || notified || this.outcome == null) {
                return;
            }
            notified = true;
            done = this.outcome;
        }
        observers.notify(o -> o.requestFinished(source, done));
    }

    private static int rank(String outcome) {
        return switch (outcome) {
            case "rejected" -> 3;
            case "error" -> 2;
            case "cancelled" -> 1;
            default -> 0;
        };
    }
}
