package io.tributary.common.registry;

import io.tributary.common.io.HadoopFs;
import io.tributary.common.io.JsonFields;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A version's {@code holdout.json}: the challenger's and the champion's evaluations on the same
 * held-out data, the basis of the promotion decision. The evaluations keep the shape of the holdout
 * evaluation's report ({@code accuracy}, {@code loss}, per-class metrics...).
 *
 * @param championVersion the champion compared against; {@code null} (with {@code champion}) when none
 */
public record HoldoutComparison(String holdout, String holdoutSha256, Map<String, Object> challenger,
                                Integer championVersion, Map<String, Object> champion) {
    /** The file's name in a version's directory. */
    public static final String FILE = "holdout.json";
    /** The schema this build writes; it reads this one and older ones. */
    public static final int SCHEMA_VERSION = 1;

    public HoldoutComparison {
        Objects.requireNonNull(challenger, "challenger");
    }

    /** The file's content: the champion's evaluation carries its {@code version} first. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = JsonFields.versioned(SCHEMA_VERSION);
        m.put("holdout", holdout);
        m.put("holdout_sha256", holdoutSha256);
        m.put("challenger", challenger);
        if (champion != null) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("version", championVersion);
            c.putAll(champion);
            m.put("champion", c);
        }
        return m;
    }

    /** Reads what {@link #toMap} wrote, in this schema version or an older one. */
    public static HoldoutComparison from(JsonFields f) {
        f.schemaVersion(SCHEMA_VERSION);
        Map<String, Object> challenger = f.object("challenger");
        Map<String, Object> champion = f.object("champion");
        Integer championVersion = null;
        if (champion != null) {
            champion = new LinkedHashMap<>(champion);
            Object v = champion.remove("version");
            championVersion = v == null ? null : ModelRegistry.versionValue(v, f.where() + ": \"champion.version\"");
        }
        return new HoldoutComparison(f.string("holdout"), f.string("holdout_sha256"),
                challenger == null ? Map.of() : challenger, championVersion, champion);
    }

    /** The comparison in a version's directory, or {@code null} when it has none (its training did not finish). */
    public static HoldoutComparison read(HadoopFs.Location versionDir) {
        JsonFields f = JsonFields.readIfExists(versionDir.child(FILE), "Holdout comparison");
        return f == null ? null : from(f);
    }
}
