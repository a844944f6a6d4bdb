package com.sessionflow.kafka;

/**
 * Start-up cannot go on with Kafka's topics as they are; the message names the option to change.
 */
public class TopicsException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public TopicsException(String message, Throwable cause) {
        super(message, cause);
    }
}
