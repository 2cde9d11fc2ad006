package io.tributary.tests;

import io.tributary.job.spark.SparkConfs;
import org.apache.hadoop.fs.BlockLocation;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import scala.reflect.ClassTag$;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What Spark's file listing job sends (Hadoop paths and file statuses) round-trips through
 * Tributary's Kryo with registration required, keeping what Spark reads of it.
 */
class FileListingKryoTest {
    private final SerializerInstance kryo = new KryoSerializer(SparkConfs.build("kryo-test", "local[1]")).newInstance();

    @SuppressWarnings("unchecked")
    private <T> T roundTrip(T value) {
        ByteBuffer bytes = kryo.serialize(value, ClassTag$.MODULE$.AnyRef());
        return (T) kryo.deserialize(bytes, ClassTag$.MODULE$.AnyRef());
    }

    @Test
    void pathsKeepEveryPartOfTheirUri() {
        Path p = new Path("hdfs://nn.example:8020/data/my images/cat 100%/a:b.png");
        Path back = roundTrip(p);
        assertEquals(p, back);
        assertEquals("/data/my images/cat 100%/a:b.png", back.toUri().getPath());
        assertEquals("nn.example:8020", back.toUri().getAuthority());
        assertArrayEquals(new Path[] {p, new Path("file:/tmp/x")}, roundTrip(new Path[] {p, new Path("file:/tmp/x")}));
    }

    @Test
    void fileStatusesComeBackWithTheirBlockHosts() throws Exception {
        BlockLocation block = new BlockLocation(new String[] {"10.0.0.1:9866"}, new String[] {"worker-1"},
                new String[0], new String[] {"/rack/10.0.0.1:9866"}, 0, 134_217_728L, false);
        LocatedFileStatus s = new LocatedFileStatus(200_000_000L, false, (short) 3, 134_217_728L, 1_700_000_000_000L,
                1_700_000_001_000L, null, null, null, null, new Path("hdfs://nn:8020/t/part-0.parquet"),
                new BlockLocation[] {block});
        LocatedFileStatus back = (LocatedFileStatus) roundTrip((FileStatus) s);
        assertEquals(s.getPath(), back.getPath());
        assertEquals(200_000_000L, back.getLen());
        assertFalse(back.isDirectory());
        assertEquals(3, back.getReplication());
        assertEquals(134_217_728L, back.getBlockSize());
        assertEquals(1_700_000_000_000L, back.getModificationTime());
        assertEquals(1, back.getBlockLocations().length);
        assertArrayEquals(new String[] {"worker-1"}, back.getBlockLocations()[0].getHosts());
        assertEquals(134_217_728L, back.getBlockLocations()[0].getLength());

        FileStatus dir = new FileStatus(0, true, 1, 0, 5L, new Path("file:/tmp/dir"));
        FileStatus dirBack = roundTrip(dir);
        assertTrue(dirBack.isDirectory());
        assertEquals(dir.getPath(), dirBack.getPath());
    }
}
