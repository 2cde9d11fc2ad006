package io.tributary.common.config;

import io.tributary.common.InputException;

/** A configuration value that breaks its rule. The message names the key, the value and the rule. */
public final class ConfigException extends InputException {
    public ConfigException(String key, Object value, String rule) {
        super("Invalid value " + value + " for configuration " + key + ": " + rule);
    }

    public ConfigException(String message) {
        super(message);
    }
}
