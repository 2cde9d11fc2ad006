package io.tributary.job.ml;

import io.tributary.common.config.ConfigException;
import io.tributary.common.config.ConfigKey;
import io.tributary.common.config.TrainKeys;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.Identifiable;
import scala.runtime.AbstractFunction1;

import java.io.Serializable;
import java.util.Map;

/**
 * Spark ML {@code Param}s for training keys: each takes its key's documentation, and its validator
 * is the key's rule, so a bad value is refused when it is set, naming the parameter, the key, the
 * value and the rule, as the command line would.
 */
final class KeyParams {
    private KeyParams() {
    }

    static Param<String> text(Identifiable owner, String name, ConfigKey<?> key) {
        return new Param<>(owner.uid(), name, doc(key), new Rule<>(name, key.name()));
    }

    static IntParam integer(Identifiable owner, String name, ConfigKey<Integer> key) {
        return new IntParam(owner.uid(), name, doc(key), new Rule<>(name, key.name()));
    }

    static LongParam integer64(Identifiable owner, String name, ConfigKey<Long> key) {
        return new LongParam(owner.uid(), name, doc(key), new Rule<>(name, key.name()));
    }

    static DoubleParam real(Identifiable owner, String name, ConfigKey<Double> key) {
        return new DoubleParam(owner.uid(), name, doc(key), new Rule<>(name, key.name()));
    }

    static BooleanParam flag(Identifiable owner, String name, ConfigKey<Boolean> key) {
        return new BooleanParam(owner.uid(), name, doc(key));
    }

    /** A key's default as its parameter holds it (an enum's as its label). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static Object defaultOf(ConfigKey<?> key) {
        Object value = key.defaultValue();
        return value instanceof Enum<?> ? ((ConfigKey) key).format(value) : value;
    }

    private static String doc(ConfigKey<?> key) {
        return key.doc() + " (the " + key.name() + " key)";
    }

    /** The training key named {@code name}. */
    static ConfigKey<?> key(String name) {
        return TrainKeys.ALL.stream().filter(k -> k.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("No training key " + name));
    }

    /** Checks a parameter's value with its key's rule; holds names only, so the parameter stays serializable. */
    private static final class Rule<T> extends AbstractFunction1<T, Object> implements Serializable {
        private final String param;
        private final String key;

        Rule(String param, String key) {
            this.param = param;
            this.key = key;
        }

        @Override
        public Object apply(T value) {
            ConfigKey<?> k = key(key);
            try {
                k.parse(value);
            } catch (ConfigException e) {
                throw new IllegalArgumentException("Invalid value " + value + " for parameter " + param + " (the "
                        + key + " key): " + k.ruleText(), e);
            }
            return Boolean.TRUE;
        }
    }

    /** Puts {@code value} into {@code values} under {@code key}'s name (for {@code TrainConfig.fromValues}). */
    static void put(Map<String, Object> values, ConfigKey<?> key, Object value) {
        if (value != null) values.put(key.name(), value);
    }
}
