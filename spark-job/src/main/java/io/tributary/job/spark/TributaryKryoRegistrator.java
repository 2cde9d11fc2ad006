package io.tributary.job.spark;

import com.esotericsoftware.kryo.Kryo;
import io.tributary.common.data.RawBatch;
import io.tributary.job.kryo.KryoClasses;
import org.nd4j.kryo.Nd4jRegistrator;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every class Tributary sends through Spark's Kryo, registered, since Spark runs with
 * {@code spark.kryo.registrationRequired}: ND4J's arrays and DataSets (ND4J's registrator), DL4J's
 * network configurations as their JSON ({@link ConfigurationJsonSerializer}), the containers task
 * results are made of, and each part's own classes ({@link KryoClasses}, listed in
 * {@code META-INF/services}).
 */
public class TributaryKryoRegistrator extends Nd4jRegistrator {
    @Override
    public void registerClasses(Kryo kryo) {
        super.registerClasses(kryo);
        ConfigurationJsonSerializer.register(kryo);
        for (Class<?> c : new Class<?>[] {byte[].class, int[].class, float[].class, long[].class, long[][].class, ArrayList.class,
                HashMap.class, Collections.singletonMap("", "").getClass(), AtomicInteger.class, DataSet.class,
                RawBatch.class, RawBatch[].class, BackendReport.class}) {
            kryo.register(c);
        }
        for (KryoClasses part : ServiceLoader.load(KryoClasses.class, TributaryKryoRegistrator.class.getClassLoader())) {
            part.classes().forEach(kryo::register);
            part.registerWithSerializers(kryo);
        }
    }
}
