package io.tributary.job.score;

import io.tributary.common.io.HadoopFs;
import io.tributary.common.io.JsonFields;
import io.tributary.common.registry.ModelRegistry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code _tributary/metadata.json} of a prediction output: when it was made, the model that scored
 * (where from, the SHA-256 of the bytes loaded, its kind and class names), the data's fingerprint, how
 * the data was read, and what was written. The fingerprint and read sections keep the shape their own
 * types write ({@code DataSource.fingerprint}, {@code DataConfig.asMap}).
 */
public record PredictionMetadata(String created, Model model, Map<String, Object> data, Map<String, Object> read,
                                 Output output) {
    /** The file's path in a prediction output. */
    public static final String FILE = PredictJob.RUN_FOLDER + "/metadata.json";
    /** The schema this build writes; it reads this one and older ones. */
    public static final int SCHEMA_VERSION = 1;

    /**
     * The model that scored.
     *
     * @param registry   the registry's location, or {@code null} for {@code --model}
     * @param version    the registry version, or {@code null} for {@code --model}
     * @param classNames label index to name, or {@code null} when its run's metadata names none
     */
    public record Model(String location, String sha256, String registry, Integer version, String kind,
                        List<String> classNames) {
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("location", location);
            m.put("sha256", sha256);
            if (registry != null) {
                m.put("registry", registry);
                m.put("version", version);
                m.put("version_name", ModelRegistry.name(version));
            }
            m.put("kind", kind);
            if (classNames != null) m.put("class_names", classNames);
            return m;
        }

        static Model from(JsonFields f) {
            Long version = f.whole("version");
            return new Model(f.requiredString("location"), f.requiredString("sha256"), f.string("registry"),
                    version == null ? null : version.intValue(), f.string("kind"), f.strings("class_names"));
        }
    }

    /** What was written: the part files' format and columns, the rows, the scoring batch and the seconds it took. */
    public record Output(String format, List<String> columns, long rows, int batchSize, double seconds) {
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("format", format);
            m.put("columns", columns);
            m.put("rows", rows);
            m.put("batch_size", batchSize);
            m.put("seconds", seconds);
            return m;
        }

        static Output from(JsonFields f) {
            List<String> columns = f.strings("columns");
            Long batch = f.whole("batch_size");
            return new Output(f.requiredString("format"), columns == null ? List.of() : columns,
                    f.requiredWhole("rows"), batch == null ? -1 : batch.intValue(), f.number("seconds"));
        }
    }

    /** The file's content, with {@code schema_version} first and the field names of every version. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = JsonFields.versioned(SCHEMA_VERSION);
        m.put("created", created);
        m.put("model", model.toMap());
        m.put("data", data);
        m.put("read", read);
        m.put("output", output.toMap());
        return m;
    }

    /** Reads what {@link #toMap} wrote, in this schema version or an older one. */
    public static PredictionMetadata from(JsonFields f) {
        f.schemaVersion(SCHEMA_VERSION);
        f.require("model");
        f.require("output");
        Map<String, Object> data = f.object("data");
        Map<String, Object> read = f.object("read");
        return new PredictionMetadata(f.string("created"), Model.from(f.nested("model")),
                data == null ? Map.of() : data, read == null ? Map.of() : read, Output.from(f.nested("output")));
    }

    /** The metadata of the prediction output {@code dir}, or {@code null} when it holds none. */
    public static PredictionMetadata read(HadoopFs.Location dir) {
        JsonFields f = JsonFields.readIfExists(dir.child(FILE), "Prediction metadata");
        return f == null ? null : from(f);
    }
}
