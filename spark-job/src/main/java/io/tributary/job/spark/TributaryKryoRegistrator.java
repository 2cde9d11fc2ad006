package io.tributary.job.spark;

import com.esotericsoftware.kryo.Kryo;
import io.tributary.common.data.RawBatch;
import org.nd4j.kryo.Nd4jRegistrator;

/** ND4J's Kryo registrations (arrays, DataSets) plus Tributary's own executor-side types. */
public class TributaryKryoRegistrator extends Nd4jRegistrator {
    @Override
    public void registerClasses(Kryo kryo) {
        super.registerClasses(kryo);
        kryo.register(RawBatch.class);
        kryo.register(byte[].class);
    }
}
