package io.tributary.common.io;

import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** JSON for metrics, metadata and reports, through the Jackson that ND4J ships (no extra dependency). */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper COMPACT = new ObjectMapper();

    private Json() {
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The value as JSON on one line (for JSON Lines files). */
    public static String writeLine(Object value) {
        try {
            return COMPACT.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A JSON object as a map.
     *
     * @throws IOException when the bytes are not one JSON object (the literal {@code null} included,
     *                     which a plain mapping would return as a {@code null} map)
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> readMap(byte[] bytes) throws IOException {
        Map<String, Object> map = MAPPER.readValue(bytes, Map.class);
        if (map == null) throw new IOException("it holds the JSON literal null, not a JSON object");
        return map;
    }

    /**
     * The deepest nesting of objects and arrays in {@code json}, counted without parsing it (so a
     * document nested deeper than a parser's stack can be refused before it is parsed).
     */
    public static int depth(String json) {
        int depth = 0;
        int max = 0;
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') i++;
                else if (c == '"') inString = false;
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                max = Math.max(max, ++depth);
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
        return max;
    }
}
