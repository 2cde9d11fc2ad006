package io.tributary.common.run;

import io.tributary.common.io.HadoopFs;
import io.tributary.common.io.JsonFields;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code metadata.json} of a run: when it was made, the resolved configuration, the model, the data's
 * fingerprint, the Spark it ran on, the ND4J backend, the libraries and the git revision. The
 * configuration, fingerprint, Spark and library sections keep the shape their own types write.
 */
public record RunMetadata(String created, Map<String, Object> config, Model model, Map<String, Object> data,
                          Map<String, Object> spark, String nd4jBackend, Map<String, Object> libraries,
                          String gitRevision) {
    /** The file's name in a run directory. */
    public static final String FILE = "metadata.json";
    /** The schema this build writes; it reads this one and older ones. */
    public static final int SCHEMA_VERSION = 1;

    /**
     * The trained model.
     *
     * @param kind       multi-layer network or computation graph
     * @param classNames label index to the name in the data, or {@code null} when the labels are indices
     */
    public record Model(String name, String kind, long parameters, Input input, int classes, List<String> classNames,
                        String format) {
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("kind", kind);
            m.put("parameters", parameters);
            if (input != null) m.put("input", input.toMap());
            m.put("classes", classes);
            if (classNames != null) m.put("class_names", classNames);
            m.put("format", format);
            return m;
        }

        static Model from(JsonFields f) {
            JsonFields input = f.nested("input");
            Long parameters = f.whole("parameters");
            Long classes = f.whole("classes");
            return new Model(f.string("name"), f.string("kind"), parameters == null ? -1 : parameters,
                    input == null ? null : Input.from(input), classes == null ? -1 : classes.intValue(),
                    f.strings("class_names"), f.string("format"));
        }
    }

    /** One example's shape as the model takes it. */
    public record Input(int rows, int cols, int channels) {
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rows", rows);
            m.put("cols", cols);
            m.put("channels", channels);
            return m;
        }

        static Input from(JsonFields f) {
            return new Input(size(f, "rows"), size(f, "cols"), size(f, "channels"));
        }

        private static int size(JsonFields f, String field) {
            Long v = f.whole(field);
            return v == null ? -1 : v.intValue();
        }
    }

    /** The file's content, with {@code schema_version} first and the field names of every version. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = JsonFields.versioned(SCHEMA_VERSION);
        m.put("created", created);
        m.put("config", config);
        if (model != null) m.put("model", model.toMap());
        m.put("data", data);
        m.put("spark", spark);
        m.put("nd4j_backend", nd4jBackend);
        m.put("libraries", libraries);
        m.put("git_revision", gitRevision);
        return m;
    }

    /** Reads what {@link #toMap} wrote, in this schema version or an older one. */
    public static RunMetadata from(JsonFields f) {
        f.schemaVersion(SCHEMA_VERSION);
        JsonFields model = f.nested("model");
        return new RunMetadata(f.string("created"), orEmpty(f.object("config")), model == null ? null : Model.from(model),
                orEmpty(f.object("data")), orEmpty(f.object("spark")), f.string("nd4j_backend"),
                orEmpty(f.object("libraries")), f.string("git_revision"));
    }

    /** The metadata in {@code dir}, or {@code null} when it holds none. */
    public static RunMetadata read(HadoopFs.Location dir) {
        JsonFields f = JsonFields.readIfExists(dir.child(FILE), "Run metadata");
        return f == null ? null : from(f);
    }

    private static Map<String, Object> orEmpty(Map<String, Object> m) {
        return m == null ? Map.of() : m;
    }
}
