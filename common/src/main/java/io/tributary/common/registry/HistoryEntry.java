package io.tributary.common.registry;

import io.tributary.common.io.JsonFields;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * One line of a registry's {@code history.jsonl}: a retraining (with its {@link Retraining} facts) or
 * an operator's promotion or rollback (with the {@code user}). Written as one flat JSON object whose
 * field names have not changed since the first history files, plus {@code schema_version}.
 *
 * @param time           when the line was appended (ISO-8601)
 * @param event          {@link ModelRegistry#RETRAIN}, {@link ModelRegistry#PROMOTE} or {@link ModelRegistry#ROLLBACK}
 * @param version        the version trained or moved to; {@code null} for a skipped retraining
 * @param championBefore the champion before; {@code null} when there was none
 * @param championAfter  the champion after; {@code null} when there is none
 * @param user           the operator of a promotion or rollback; {@code null} for a retraining
 * @param retraining     what a retraining did; {@code null} for an operator's action
 */
public record HistoryEntry(String time, String event, Integer version, Integer championBefore,
                           Integer championAfter, String reason, String user, Retraining retraining) {
    /** The schema this build writes; it reads this one and older ones. */
    public static final int SCHEMA_VERSION = 1;

    /**
     * What a retraining recorded: its data, whether it started from the champion, how the challenger
     * scored, the decision and the versions pruned. Fields not reached (a skipped or failed
     * retraining) are {@code null}.
     *
     * @param config the retraining's configuration ({@code RetrainConfig.asMap})
     */
    public record Retraining(String data, String dataSha256, String holdout, String holdoutSha256,
                             Integer warmStartFrom, Double trainTestAccuracy, Double examplesPerSecond, Score score,
                             String decision, List<Integer> pruned, Map<String, Object> config) {
        /** A retraining of {@code data}, compared on {@code holdout}, before anything else is known. */
        public static Retraining of(String data, String dataSha256, String holdout, String holdoutSha256) {
            return new Retraining(data, dataSha256, holdout, holdoutSha256, null, null, null, null, null, null, null);
        }

        public Retraining warmStartFrom(int version) {
            return new Retraining(data, dataSha256, holdout, holdoutSha256, version, trainTestAccuracy,
                    examplesPerSecond, score, decision, pruned, config);
        }

        /** With the training run's own test accuracy and throughput. */
        public Retraining trained(double testAccuracy, double examplesPerSecond) {
            return new Retraining(data, dataSha256, holdout, holdoutSha256, warmStartFrom, testAccuracy,
                    examplesPerSecond, score, decision, pruned, config);
        }

        public Retraining scored(Score score) {
            return new Retraining(data, dataSha256, holdout, holdoutSha256, warmStartFrom, trainTestAccuracy,
                    examplesPerSecond, score, decision, pruned, config);
        }

        /** With the decision, the versions pruned ({@code null}: no pruning) and the configuration. */
        public Retraining decided(String decision, List<Integer> pruned, Map<String, Object> config) {
            return new Retraining(data, dataSha256, holdout, holdoutSha256, warmStartFrom, trainTestAccuracy,
                    examplesPerSecond, score, decision, pruned, config);
        }
    }

    /**
     * The comparison a promotion decision rests on.
     *
     * @param metric     the metric's label
     * @param champion   the champion's score on the holdout; {@code null} when there was no champion
     * @param floor      the score a challenger must reach; {@code null} when none was set
     */
    public record Score(String metric, double challenger, Double champion, double minImprovement, Double floor) {
    }

    /** An operator's promotion or rollback to {@code version}. */
    public static HistoryEntry action(String event, int version, OptionalInt before, String reason, String user) {
        return new HistoryEntry(null, event, version, before.isPresent() ? before.getAsInt() : null, version, reason,
                user, null);
    }

    /** The decision of a retraining; {@code null} for an operator's action. */
    public String decision() {
        return retraining == null ? null : retraining.decision();
    }

    /** Whether this line made {@code version} champion: a promotion, or a retraining that promoted. */
    public boolean promoted() {
        return version != null && (ModelRegistry.PROMOTE.equals(event)
                || (ModelRegistry.RETRAIN.equals(event) && ModelRegistry.PROMOTED.equals(decision())));
    }

    /** The line stamped with {@code time} when it has none. */
    public HistoryEntry at(String stamp) {
        return time != null ? this
                : new HistoryEntry(stamp, event, version, championBefore, championAfter, reason, user, retraining);
    }

    /**
     * The line as written: a field is left out when it is {@code null}, except those whose
     * {@code null} says something ({@code champion_before} of a version, {@code champion} of a score,
     * and {@code champion_after}), as the first history files wrote them.
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "time", time);
        m.put(JsonFields.SCHEMA_VERSION, SCHEMA_VERSION);
        put(m, "event", event);
        Retraining r = retraining;
        if (r != null) {
            put(m, "data", r.data());
            put(m, "data_sha256", r.dataSha256());
            put(m, "holdout", r.holdout());
            put(m, "holdout_sha256", r.holdoutSha256());
        }
        if (version != null) {
            m.put("version", version);
            m.put("name", ModelRegistry.name(version));
            m.put("champion_before", championBefore);
        }
        if (r != null) {
            put(m, "warm_start_from", r.warmStartFrom());
            put(m, "train_test_accuracy", r.trainTestAccuracy());
            put(m, "examples_per_second", r.examplesPerSecond());
            if (r.score() != null) {
                m.put("metric", r.score().metric());
                m.put("challenger", r.score().challenger());
                m.put("champion", r.score().champion());
                m.put("min_improvement", r.score().minImprovement());
                m.put("floor", r.score().floor());
            }
            put(m, "decision", r.decision());
        }
        put(m, "reason", reason);
        m.put("champion_after", championAfter);
        if (r != null) put(m, "pruned", r.pruned());
        put(m, "user", user);
        if (r != null) put(m, "config", r.config());
        return m;
    }

    /** Reads one line as {@link #toMap} wrote it, in this schema version or an older one. */
    public static HistoryEntry from(JsonFields f) {
        f.schemaVersion(SCHEMA_VERSION);
        String event = f.string("event");
        Retraining retraining = null;
        if (ModelRegistry.RETRAIN.equals(event)) {
            Double trainAccuracy = f.optionalNumber("train_test_accuracy");
            Score score = f.has("metric") ? new Score(f.string("metric"), f.number("challenger"),
                    f.optionalNumber("champion"), f.number("min_improvement"), f.optionalNumber("floor")) : null;
            retraining = new Retraining(f.string("data"), f.string("data_sha256"), f.string("holdout"),
                    f.string("holdout_sha256"), version(f, "warm_start_from"), trainAccuracy,
                    f.optionalNumber("examples_per_second"), score, f.string("decision"), versions(f, "pruned"),
                    f.object("config"));
        }
        return new HistoryEntry(f.string("time"), event, version(f, "version"), version(f, "champion_before"),
                version(f, "champion_after"), f.string("reason"), f.string("user"), retraining);
    }

    private static Integer version(JsonFields f, String field) {
        return f.has(field) ? ModelRegistry.versionValue(f.raw(field), f.where() + ": \"" + field + "\"") : null;
    }

    private static List<Integer> versions(JsonFields f, String field) {
        List<?> list = f.list(field);
        if (list == null) return null;
        List<Integer> out = new ArrayList<>();
        for (Object v : list) out.add(ModelRegistry.versionValue(v, f.where() + ": an entry of \"" + field + "\""));
        return out;
    }

    private static void put(Map<String, Object> m, String field, Object value) {
        if (value != null) m.put(field, value);
    }
}
