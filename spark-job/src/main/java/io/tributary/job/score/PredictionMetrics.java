package io.tributary.job.score;

import io.tributary.common.io.HadoopFs;
import io.tributary.common.io.JsonFields;

import java.util.Map;

/**
 * {@code _tributary/metrics.json} of a prediction output, written for labelled data only: the
 * examples scored, the seconds the scoring job took (reading, scoring and writing the part files),
 * its rate, and of the labelled examples, how many and the accuracy on them.
 */
public record PredictionMetrics(long examples, double seconds, long labelled, double accuracy) {
    /** The file's path in a prediction output. */
    public static final String FILE = PredictJob.RUN_FOLDER + "/metrics.json";
    /** The schema this build writes; it reads this one and older ones. */
    public static final int SCHEMA_VERSION = 1;

    /** Examples scored per second of the scoring job. */
    public double examplesPerSecond() {
        return examples / seconds;
    }

    /** The file's content, with {@code schema_version} first and the field names of every version. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = JsonFields.versioned(SCHEMA_VERSION);
        m.put("examples", examples);
        m.put("seconds", seconds);
        m.put("examples_per_second", examplesPerSecond());
        m.put("labelled", labelled);
        m.put("accuracy", accuracy);
        return m;
    }

    /** Reads what {@link #toMap} wrote, in this schema version or an older one. */
    public static PredictionMetrics from(JsonFields f) {
        f.schemaVersion(SCHEMA_VERSION);
        return new PredictionMetrics(f.requiredWhole("examples"), f.requiredNumber("seconds"),
                f.requiredWhole("labelled"), f.requiredNumber("accuracy"));
    }

    /** The metrics of the prediction output {@code dir}, or {@code null} when it holds none (unlabelled data). */
    public static PredictionMetrics read(HadoopFs.Location dir) {
        JsonFields f = JsonFields.readIfExists(dir.child(FILE), "Prediction metrics");
        return f == null ? null : from(f);
    }
}
