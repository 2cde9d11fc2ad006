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
     * Registers, in a fixed order, the classes that need a serializer of their own (a class whose
     * fields do not describe it, as {@code java.net.URI}'s); called after {@link #classes()}. None by default.
     */
    default void registerWithSerializers(Kryo kryo) {
    }
}
