package dev.neox4j.hub;

import java.io.IOException;

/**
 * A model reference that cannot be resolved, with a message that says what to do (set {@code HF_TOKEN}, pick one
 * of the listed revisions, files or quants, go online, ...). An {@link IOException}, so callers that report I/O
 * failures report these the same way.
 */
public final class HubException extends IOException {

    /** Why the reference could not be resolved. */
    public enum Kind {
        /** The reference itself is malformed or names a hostile path. */
        INVALID_REFERENCE,
        /** 401/403: a gated or private repository, or a token without access. */
        UNAUTHORIZED,
        /** The repository, revision, file or quant does not exist. */
        NOT_FOUND,
        /** {@code HF_HUB_OFFLINE} is set (or the Hub is unreachable) and the cache lacks the file. */
        OFFLINE,
        /** A download did not match its announced size or sha256; nothing was kept. */
        INTEGRITY,
        /** The server did not speak the Hub protocol (missing headers, bad JSON, unexpected status). */
        PROTOCOL
    }

    private final Kind kind;

    public HubException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public HubException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    /** Why the reference could not be resolved. */
    public Kind kind() {
        return kind;
    }
}
