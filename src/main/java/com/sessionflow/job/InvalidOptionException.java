package com.sessionflow.job;

/** A bad start-up option: the message names the option and what is allowed. */
public class InvalidOptionException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public InvalidOptionException(String message) {
        super(message);
    }
}
