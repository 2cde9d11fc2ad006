package io.tributary.job.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;

import java.util.function.Function;

/**
 * A DL4J network configuration through Kryo as its JSON, the form model files keep it in. Its object
 * graph (layers, activations, losses, updaters of any kind) then needs no Kryo registration of its
 * own, and a new layer type works without one.
 */
final class ConfigurationJsonSerializer<T> extends Serializer<T> {
    private final Function<T, String> toJson;
    private final Function<String, T> fromJson;

    private ConfigurationJsonSerializer(Function<T, String> toJson, Function<String, T> fromJson) {
        this.toJson = toJson;
        this.fromJson = fromJson;
        setImmutable(false);
    }

    static void register(Kryo kryo) {
        kryo.register(MultiLayerConfiguration.class, new ConfigurationJsonSerializer<>(
                MultiLayerConfiguration::toJson, MultiLayerConfiguration::fromJson));
        kryo.register(ComputationGraphConfiguration.class, new ConfigurationJsonSerializer<>(
                ComputationGraphConfiguration::toJson, ComputationGraphConfiguration::fromJson));
    }

    @Override
    public void write(Kryo kryo, Output output, T value) {
        output.writeString(toJson.apply(value));
    }

    @Override
    public T read(Kryo kryo, Input input, Class<T> type) {
        return fromJson.apply(input.readString());
    }
}
