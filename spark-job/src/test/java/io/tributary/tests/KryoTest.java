package io.tributary.tests;

import io.tributary.common.config.InputShape;
import io.tributary.common.data.RawBatch;
import io.tributary.common.model.ModelZoo;
import io.tributary.job.spark.SparkConfs;
import io.tributary.job.train.HoldoutEvaluation;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.worker.NetBroadcastTuple;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import scala.reflect.ClassTag$;

import java.io.Serializable;
import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Tributary's Spark configuration serializes what its tasks send with real Kryo, registration
 * required: a stream may only name classes Tributary registered.
 */
class KryoTest {
    private final SerializerInstance kryo = new KryoSerializer(SparkConfs.build("kryo-test", "local[1]")).newInstance();

    @SuppressWarnings("unchecked")
    private <T> T roundTrip(T value) {
        ByteBuffer bytes = kryo.serialize(value, ClassTag$.MODULE$.AnyRef());
        return (T) kryo.deserialize(bytes, ClassTag$.MODULE$.AnyRef());
    }

    /** A class no registrator knows. */
    static final class NotRegistered implements Serializable {
        int value = 7;
    }

    @Test
    void configuresKryoWithRegistrationRequired() {
        var conf = SparkConfs.build("kryo-test", null);
        assertEquals(KryoSerializer.class.getName(), conf.get("spark.serializer"));
        assertTrue(conf.get("spark.kryo.registrator").endsWith("TributaryKryoRegistrator"));
        assertEquals("true", conf.get("spark.kryo.registrationRequired"));
        assertEquals("local[*]", conf.get("spark.master"));
    }

    @Test
    void anUnregisteredClassIsRefused() {
        Exception e = assertThrows(Exception.class, () -> roundTrip(new NotRegistered()));
        assertTrue(String.valueOf(e.getMessage()).contains("Class is not registered"), String.valueOf(e));
    }

    @Test
    void sparkSqlSchemasRoundTripWithSparksOwnTypeObjects() {
        // Parquet's schema inference returns schemas from tasks; a rebuilt IntegerType$ would equal nothing.
        var schema = new StructType()
                .add("features", DataTypes.createArrayType(
                        DataTypes.FloatType))
                .add("label", DataTypes.IntegerType);
        var back = (StructType[]) roundTrip(new StructType[] {schema});
        assertEquals(schema, back[0]);
        assertSame(DataTypes.IntegerType, back[0].apply("label").dataType());
    }

    @Test
    void rawBatchesAndDataSetsRoundTrip() {
        RawBatch b = RawBatch.ofPixels(3, 96, 2, 2, 2, 10, new byte[] {1, 2, 3, 4, 5, 6, 7, (byte) 200}, new int[] {4, 9});
        RawBatch back = roundTrip(b);
        assertEquals(3, back.id());
        assertEquals(96, back.firstIndex());
        assertArrayEquals(b.bytes(), back.bytes());
        assertArrayEquals(b.labels(), back.labels());
        RawBatch floats = new RawBatch(0, 0, 1, 2, 1, 1, 3, null, new float[] {0.5f, -1f}, 1f, new int[] {2});
        assertArrayEquals(floats.floats(), ((RawBatch) roundTrip(floats)).floats());
        assertEquals(1, ((RawBatch[]) roundTrip(new RawBatch[] {b})).length);

        DataSet ds = new DataSet(Nd4j.rand(4, 1, 3, 3), Nd4j.eye(4));
        DataSet ds2 = roundTrip(ds);
        assertEquals(ds.getFeatures(), ds2.getFeatures());
        assertEquals(ds.getLabels(), ds2.getLabels());
    }

    @Test
    void theBroadcastNetworkRoundTripsWithItsConfigurationAsJson() {
        MultiLayerConfiguration conf = ModelZoo.build(ModelZoo.SEED_CNN, new InputShape(1, 28, 28), 10,
                1e-3, 42);
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        NetBroadcastTuple back = roundTrip(new NetBroadcastTuple(conf, net.params(), net.getUpdater().getStateViewArray()));
        assertEquals(conf, back.getConfiguration());
        assertEquals(conf.toJson(), back.getConfiguration().toJson());
        assertEquals(net.params(), back.getParameters());
    }

    @Test
    void evaluationCountsRoundTrip() {
        HoldoutEvaluation.Counts counts = new HoldoutEvaluation.Counts(3);
        HoldoutEvaluation.Counts back = roundTrip(counts);
        assertNotSame(counts, back);
        assertEquals(3, back.result().report().confusion().numClasses());
    }
}
