package io.tributary.common.registry;

import io.tributary.common.InputException;
import io.tributary.common.io.JsonFields;

import java.util.Map;

/**
 * A registry's {@code champion} file: the version in production, since when, and by which event
 * ({@link ModelRegistry#RETRAIN}, {@link ModelRegistry#PROMOTE} or {@link ModelRegistry#ROLLBACK}).
 */
public record ChampionPointer(int version, String since, String by) {
    /** The schema this build writes; it reads this one and older ones. */
    public static final int SCHEMA_VERSION = 1;

    /** The file's content, with the version's directory name alongside its number. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = JsonFields.versioned(SCHEMA_VERSION);
        m.put("version", version);
        m.put("name", ModelRegistry.name(version));
        m.put("since", since);
        m.put("by", by);
        return m;
    }

    /** Reads what {@link #toMap} wrote; a pointer without a version, or with a bad one, is refused. */
    public static ChampionPointer from(JsonFields f, Object pointer) {
        f.schemaVersion(SCHEMA_VERSION);
        if (!f.has("version")) {
            throw new InputException("Champion pointer " + pointer + " names no version");
        }
        int version = ModelRegistry.versionValue(f.raw("version"), "The \"version\" of champion pointer " + pointer);
        return new ChampionPointer(version, f.string("since"), f.string("by"));
    }
}
