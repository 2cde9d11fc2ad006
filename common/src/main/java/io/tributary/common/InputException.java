package io.tributary.common;

/**
 * A problem with what the user gave: a flag, a config value, a data file or an output location.
 * The CLI reports it as one sentence and exits with status 2; nothing is written.
 */
public class InputException extends RuntimeException {
    public InputException(String message) {
        super(message);
    }

    public InputException(String message, Throwable cause) {
        super(message, cause);
    }
}
