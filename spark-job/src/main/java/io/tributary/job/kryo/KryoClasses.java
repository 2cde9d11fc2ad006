package io.tributary.job.kryo;

import com.esotericsoftware.kryo.Kryo;

import java.util.List;

/**
 * The classes one part of Tributary sends through Spark's Kryo (task results, broadcasts, cached
 * data). Spark requires every class to be registered ({@code spark.kryo.registrationRequired}), so
 * a stream can only ever name classes on these lists. Implementations are found with
 * {@link java.util.ServiceLoader} ({@code META-INF/services}), in the file's order, which keeps the
 * registration ids the same in every JVM that runs the same jar.
 */
public interface KryoClasses {
    /** The classes, in a fixed order. */
    List<Class<?>> classes();

    /**
     * Registers the classes; a part whose classes need a serializer of their own (one that writes
     * them as text, say) registers it here, in a fixed order.
     */
    default void register(Kryo kryo) {
        classes().forEach(kryo::register);
    }
}
