package com.sessionflow.cluster;

/**
 * Something in the local cluster did not start, answer or end in time; the message says what and
 * carries the tail of the process log that explains it.
 */
public final class ClusterException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ClusterException(String message) {
        super(message);
    }

    public ClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
