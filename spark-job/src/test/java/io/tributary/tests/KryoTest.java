package io.tributary.tests;

import io.tributary.job.spark.SparkConfs;
import io.tributary.common.data.RawBatch;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import scala.reflect.ClassTag$;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.*;

/** Tributary's Spark configuration serializes its executor-side data with real Kryo. */
class KryoTest {
    private final SerializerInstance kryo =
            new KryoSerializer(SparkConfs.build("kryo-test", "local[1]").set("spark.kryo.registrationRequired", "false"))
                    .newInstance();

    @SuppressWarnings("unchecked")
    private <T> T roundTrip(T value) {
        ByteBuffer bytes = kryo.serialize(value, ClassTag$.MODULE$.AnyRef());
        return (T) kryo.deserialize(bytes, ClassTag$.MODULE$.AnyRef());
    }

    @Test
    void configuresKryoWithTheNd4jRegistrator() {
        var conf = SparkConfs.build("kryo-test", null);
        assertEquals(KryoSerializer.class.getName(), conf.get("spark.serializer"));
        assertTrue(conf.get("spark.kryo.registrator").endsWith("TributaryKryoRegistrator"));
        assertEquals("local[*]", conf.get("spark.master"));
    }

    @Test
    void rawBatchesAndDataSetsRoundTrip() {
        RawBatch b = new RawBatch(3, 2, 2, 2, 10, new byte[] {1, 2, 3, 4, 5, 6, 7, (byte) 200}, new byte[] {4, 9});
        RawBatch back = roundTrip(b);
        assertEquals(3, back.id());
        assertArrayEquals(b.pixels(), back.pixels());
        assertArrayEquals(b.labels(), back.labels());

        DataSet ds = new DataSet(Nd4j.rand(4, 1, 3, 3), Nd4j.eye(4));
        DataSet ds2 = roundTrip(ds);
        assertEquals(ds.getFeatures(), ds2.getFeatures());
        assertEquals(ds.getLabels(), ds2.getLabels());
    }
}
