package io.tributary.common.io;

import io.tributary.common.InputException;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One JSON object read from a file, with typed access to its fields for the records that read
 * Tributary's files back ({@code metrics.json}, {@code metadata.json}, {@code holdout.json}, the
 * registry's champion pointer and history lines). An absent field (or JSON {@code null}) reads as
 * {@code null} (or NaN, for numbers), since older files lack fields added since; a field of the
 * wrong type is an input error naming the file, the field, the value and the type expected.
 * Every file carries {@value #SCHEMA_VERSION}; one without it was written before the field existed
 * and is version 1.
 */
public final class JsonFields {
    /** The field holding a file's schema version. */
    public static final String SCHEMA_VERSION = "schema_version";

    private final Map<String, Object> fields;
    private final String where;

    /** @param where the file (or line of a file) the fields came from, for messages */
    public JsonFields(Map<String, Object> fields, String where) {
        this.fields = fields;
        this.where = where;
    }

    /** The JSON object in {@code file}, or {@code null} when the file does not exist. */
    public static JsonFields readIfExists(HadoopFs.Location file, String what) {
        try (InputStream in = file.fs().open(file.path())) {
            return new JsonFields(Json.readMap(in.readAllBytes()), what + " " + file);
        } catch (FileNotFoundException e) {
            return null;
        } catch (IOException e) {
            throw new InputException("Cannot read " + what + " " + file + ": " + HadoopFs.describe(e));
        }
    }

    /** Where the fields came from, as messages name it. */
    public String where() {
        return where;
    }

    public Map<String, Object> asMap() {
        return fields;
    }

    public boolean has(String field) {
        return fields.get(field) != null;
    }

    /**
     * The file's schema version: {@value #SCHEMA_VERSION}, or 1 when absent. A version newer than
     * {@code current} is refused: its fields may mean something this build does not know.
     */
    public int schemaVersion(int current) {
        Object v = fields.get(SCHEMA_VERSION);
        if (v == null) return 1;
        if (!(v instanceof Integer n) || n < 1) {
            throw new InputException(where + " has " + SCHEMA_VERSION + " " + quoted(v)
                    + ": a schema version is a whole number from 1");
        }
        if (n > current) {
            throw new InputException(where + " has " + SCHEMA_VERSION + " " + n + ", newer than this Tributary"
                    + " reads: it reads " + SCHEMA_VERSION + " " + current + " or older (a file without the field is"
                    + " version 1); read it with the Tributary release that wrote it, or a newer one");
        }
        return n;
    }

    public String string(String field) {
        Object v = fields.get(field);
        if (v == null || v instanceof String) return (String) v;
        throw wrong(field, v, "a string");
    }

    /** A number; NaN when absent (and for the strings Jackson writes for NaN and the infinities). */
    public double number(String field) {
        Object v = fields.get(field);
        if (v == null) return Double.NaN;
        if (v instanceof Number n) return n.doubleValue();
        if (v instanceof String s && (s.equals("NaN") || s.equals("Infinity") || s.equals("-Infinity"))) {
            return Double.parseDouble(s);
        }
        throw wrong(field, v, "a number");
    }

    /** A number, or {@code null} when absent. */
    public Double optionalNumber(String field) {
        return fields.get(field) == null ? null : number(field);
    }

    /** A whole number, or {@code null} when absent. */
    public Long whole(String field) {
        Object v = fields.get(field);
        if (v == null) return null;
        if (v instanceof Integer || v instanceof Long || v instanceof Short) return ((Number) v).longValue();
        throw wrong(field, v, "a whole number");
    }

    /** A string that the file must have; its absence is an input error naming the file and the field. */
    public String requiredString(String field) {
        require(field);
        return string(field);
    }

    /** A number that the file must have; its absence is an input error naming the file and the field. */
    public double requiredNumber(String field) {
        require(field);
        return number(field);
    }

    /** A whole number that the file must have; its absence is an input error naming the file and the field. */
    public long requiredWhole(String field) {
        require(field);
        return whole(field);
    }

    /** Refuses the file when {@code field} is absent (or JSON {@code null}). */
    public void require(String field) {
        if (!has(field)) {
            throw new InputException(where + " has no field \"" + field + "\", which it must have; it was not"
                    + " written by Tributary, or was cut short");
        }
    }

    /** A JSON object, or {@code null} when absent. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> object(String field) {
        Object v = fields.get(field);
        if (v == null || v instanceof Map<?, ?>) return (Map<String, Object>) v;
        throw wrong(field, v, "a JSON object");
    }

    /** A JSON object's fields, for a record that reads a nested object ({@code null} when absent). */
    public JsonFields nested(String field) {
        Map<String, Object> m = object(field);
        return m == null ? null : new JsonFields(m, where + ", field \"" + field + "\",");
    }

    /** A JSON array of objects, or {@code null} when absent. */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> objects(String field) {
        List<?> list = list(field);
        if (list == null) return null;
        for (Object o : list) {
            if (!(o instanceof Map<?, ?>)) throw wrong(field, o, "an array of JSON objects");
        }
        return (List<Map<String, Object>>) list;
    }

    /** A JSON array of strings, or {@code null} when absent. */
    public List<String> strings(String field) {
        List<?> list = list(field);
        if (list == null) return null;
        List<String> out = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof String s)) throw wrong(field, o, "an array of strings");
            out.add(s);
        }
        return out;
    }

    /** A JSON array, or {@code null} when absent. */
    public List<?> list(String field) {
        Object v = fields.get(field);
        if (v == null || v instanceof List<?>) return (List<?>) v;
        throw wrong(field, v, "a JSON array");
    }

    /** The raw value (for fields whose shape belongs to another type), or {@code null}. */
    public Object raw(String field) {
        return fields.get(field);
    }

    /** A map for writing: {@value #SCHEMA_VERSION} first, then the fields in the order they are put. */
    public static Map<String, Object> versioned(int schemaVersion) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(SCHEMA_VERSION, schemaVersion);
        return m;
    }

    private InputException wrong(String field, Object value, String expected) {
        return new InputException(where + ": field \"" + field + "\" is " + quoted(value) + ", not " + expected);
    }

    private static String quoted(Object v) {
        String s = v instanceof String ? "\"" + v + "\"" : String.valueOf(v);
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }
}
