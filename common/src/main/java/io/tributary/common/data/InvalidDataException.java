package io.tributary.common.data;

import io.tributary.common.InputException;

/** A data file that breaks a rule of its format. The message names the file and the rule. */
public final class InvalidDataException extends InputException {
    public InvalidDataException(String file, String rule) {
        super(file + ": " + rule);
    }
}
