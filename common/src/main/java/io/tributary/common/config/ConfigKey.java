package io.tributary.common.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One configuration key: its name (as used in config files and as the long flag), type, default,
 * rule and documentation, declared in one place. Parsing and validation both go through here,
 * so the error for a bad value has one shape wherever the value came from.
 *
 * @param <T> the value type
 */
public final class ConfigKey<T> {
    private final String name;
    private final Class<T> type;
    private final T defaultValue;
    private final Function<String, T> parser;
    private final Predicate<T> rule;
    private final String ruleText;
    private final String doc;
    private Function<T, String> formatter = String::valueOf;
    private List<String> formerNames = List.of();
    private Function<Map<String, ?>, T> derivedDefault;
    private String derivedDefaultText;

    private ConfigKey(String name, Class<T> type, T defaultValue, Function<String, T> parser,
                      Predicate<T> rule, String ruleText, String doc) {
        this.name = name;
        this.type = type;
        this.defaultValue = defaultValue;
        this.parser = parser;
        this.rule = rule;
        this.ruleText = ruleText;
        this.doc = doc;
    }

    public static ConfigKey<Integer> intKey(String name, Integer defaultValue, int min, int max, String doc) {
        String ruleText = max == Integer.MAX_VALUE ? "must be >= " + min : "must be between " + min + " and " + max;
        return new ConfigKey<>(name, Integer.class, defaultValue, Integer::valueOf,
                v -> v >= min && v <= max, ruleText, doc);
    }

    public static ConfigKey<Long> longKey(String name, Long defaultValue, String doc) {
        return new ConfigKey<>(name, Long.class, defaultValue, Long::valueOf, v -> true, "must be an integer", doc);
    }

    public static ConfigKey<Long> longKey(String name, Long defaultValue, long min, long max, String doc) {
        return new ConfigKey<>(name, Long.class, defaultValue, Long::valueOf, v -> v >= min && v <= max,
                "must be between " + min + " and " + max, doc);
    }

    public static ConfigKey<Double> doubleKey(String name, Double defaultValue, double minExclusive,
                                              double maxInclusive, String doc) {
        return new ConfigKey<>(name, Double.class, defaultValue, Double::valueOf,
                v -> v > minExclusive && v <= maxInclusive && !v.isNaN(),
                "must be > " + minExclusive + " and <= " + maxInclusive, doc);
    }

    public static ConfigKey<Double> doubleKeyInclusive(String name, Double defaultValue, double min, double max,
                                                       String doc) {
        return new ConfigKey<>(name, Double.class, defaultValue, Double::valueOf,
                v -> v >= min && v <= max, "must be between " + min + " and " + max, doc);
    }

    /** A UDP/TCP port range written {@code FIRST-LAST}, both in 1..65535, FIRST <= LAST. */
    public static ConfigKey<String> portRangeKey(String name, String defaultValue, String doc) {
        return new ConfigKey<>(name, String.class, defaultValue, String::trim, v -> PortRange.parse(v) != null,
                "must be FIRST-LAST with 1 <= FIRST <= LAST <= 65535", doc);
    }

    /** An example's shape written {@code C,H,W} (channels, height, width), each at least 1. */
    public static ConfigKey<String> shapeKey(String name, String defaultValue, String doc) {
        return new ConfigKey<>(name, String.class, defaultValue, String::trim, v -> InputShape.parse(v) != null,
                "must be C,H,W with three positive integers, e.g. 1,28,28", doc);
    }

    /** An IPv4 network in CIDR notation, {@code a.b.c.d/n}. */
    public static ConfigKey<String> cidrKey(String name, String defaultValue, String doc) {
        return new ConfigKey<>(name, String.class, defaultValue, String::trim,
                v -> v.matches("(\\d{1,3})(\\.\\d{1,3}){3}/\\d{1,2}") && cidrInRange(v),
                "must be an IPv4 network like 10.0.0.0/16", doc);
    }

    private static boolean cidrInRange(String v) {
        String[] parts = v.split("/");
        for (String octet : parts[0].split("\\.")) {
            if (Integer.parseInt(octet) > 255) return false;
        }
        int bits = Integer.parseInt(parts[1]);
        return bits >= 1 && bits <= 32;
    }

    public static ConfigKey<Boolean> booleanKey(String name, Boolean defaultValue, String doc) {
        return new ConfigKey<>(name, Boolean.class, defaultValue, s -> {
            String t = s.trim().toLowerCase(Locale.ROOT);
            if (t.equals("true")) return Boolean.TRUE;
            if (t.equals("false")) return Boolean.FALSE;
            throw new IllegalArgumentException(s);
        }, v -> true, "must be true or false", doc);
    }

    /**
     * A non-blank string. With a {@code null} default the key is required where its value is read with
     * {@link #valueIn} (missing: an error naming the key) and optional where read with {@link #optionalIn}.
     */
    public static ConfigKey<String> stringKey(String name, String defaultValue, String doc) {
        return new ConfigKey<>(name, String.class, defaultValue, String::trim, v -> !v.isBlank(), "must not be empty", doc);
    }

    public static <E extends Enum<E>> ConfigKey<E> enumKey(String name, E defaultValue, Class<E> type,
                                                           Function<E, String> label, String doc) {
        E[] values = type.getEnumConstants();
        List<String> labels = Arrays.stream(values).map(label).toList();
        ConfigKey<E> key = new ConfigKey<>(name, type, defaultValue, s -> {
            for (E e : values) {
                if (label.apply(e).equals(s.trim())) return e;
            }
            throw new IllegalArgumentException(s);
        }, v -> true, "must be one of " + String.join(", ", labels), doc);
        key.formatter = label;
        return key;
    }

    public String name() {
        return name;
    }

    /**
     * Names this key had in earlier releases, still accepted in config files, saved configs and as
     * flags, so that existing configs, crontabs and checkpoints keep working.
     */
    public ConfigKey<T> formerly(String... names) {
        this.formerNames = List.of(names);
        return this;
    }

    /**
     * Makes this key's default depend on another key's value, one default per value of that enum key:
     * where this key is not given, {@link #valueIn} takes {@code byValue} of the other key's value, and
     * {@link #formattedDefault} lists them all ("by sync: param-avg 0.003, ...").
     */
    public <S extends Enum<S>> ConfigKey<T> defaultBy(ConfigKey<S> other, Function<S, T> byValue) {
        if (defaultValue != null) {
            throw new IllegalStateException(name + " has a fixed default; a default by " + other.name + " replaces it");
        }
        this.derivedDefault = values -> byValue.apply(other.valueIn(values));
        this.derivedDefaultText = "by " + other.name + ": " + String.join(", ", Arrays.stream(other.type.getEnumConstants())
                .map(v -> other.format(v) + " " + format(byValue.apply(v))).toList());
        return this;
    }

    public List<String> formerNames() {
        return formerNames;
    }

    public Class<T> type() {
        return type;
    }

    public T defaultValue() {
        return defaultValue;
    }

    public String doc() {
        return doc;
    }

    /** A value as it is written in a config file or on the command line. */
    public String format(T value) {
        return value == null ? "" : formatter.apply(value);
    }

    /**
     * The default as it is written in a config file, the defaults by another key's value where it depends
     * on one ({@link #defaultBy}), or {@code null} when there is none.
     */
    public String formattedDefault() {
        if (derivedDefaultText != null) return derivedDefaultText;
        return defaultValue == null ? null : format(defaultValue);
    }

    public String ruleText() {
        return ruleText;
    }

    /** This key's value among merged key/value pairs (defaults, file, flags): parsed and checked, or the default. */
    public T valueIn(Map<String, ?> values) {
        Object raw = values.get(name);
        return raw != null ? parse(raw) : check(defaultIn(values));
    }

    /** The default this key takes among {@code values}: its own, or the one by another key's value ({@link #defaultBy}). */
    public T defaultIn(Map<String, ?> values) {
        return derivedDefault != null ? derivedDefault.apply(values) : defaultValue;
    }

    /** Like {@link #valueIn} for a key without a default: {@code null} when not given. */
    public T optionalIn(Map<String, ?> values) {
        Object raw = values.get(name);
        return raw == null ? null : parse(raw);
    }

    /** Parses a raw value (from a file or a flag) and checks its rule. */
    public T parse(Object raw) {
        if (raw == null) {
            throw new ConfigException(name, "null", ruleText);
        }
        T value;
        if (type.isInstance(raw)) {
            value = type.cast(raw);
        } else {
            try {
                value = parser.apply(String.valueOf(raw));
            } catch (RuntimeException e) {
                throw new ConfigException(name, quote(raw), ruleText);
            }
        }
        return check(value);
    }

    /** Checks a typed value against the rule and returns it. */
    public T check(T value) {
        if (value == null) {
            throw new ConfigException("Missing required configuration " + name + " (" + doc + ")");
        }
        if (!rule.test(value)) {
            throw new ConfigException(name, quote(value), ruleText);
        }
        return value;
    }

    private static String quote(Object value) {
        return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
    }

    @Override
    public String toString() {
        return name;
    }
}
