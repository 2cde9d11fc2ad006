package io.tributary.job.read;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.tributary.job.kryo.KryoClasses;
import org.apache.hadoop.fs.BlockLocation;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;

/**
 * What Spark's file sources send through Kryo when they list a directory tree with a job (more
 * than {@code spark.sql.sources.parallelPartitionDiscovery.threshold} folders at one level, 32 by
 * default, as an image folder of many classes or a table of many partitions): the folders as Hadoop
 * {@link Path}s, and each folder's files as Hadoop file statuses with their block locations. Spark
 * registers none of them. Each gets a serializer of its own: {@code java.net.URI} keeps its parts in
 * transient fields, which Kryo's field serializer would leave out, and the statuses' classes differ
 * by filesystem; a status comes back as a plain {@link LocatedFileStatus} with what Spark reads of it
 * (path, length, kind, replication, block size, times, block hosts).
 */
public final class FileListingKryoClasses implements KryoClasses {
    /** Status classes of filesystems that may not be on the classpath; registered when they are. */
    private static final List<String> FILESYSTEM_STATUSES = List.of(
            "org.apache.hadoop.fs.RawLocalFileSystem$DeprecatedRawLocalFileStatus",
            "org.apache.hadoop.hdfs.protocol.HdfsLocatedFileStatus",
            "org.apache.hadoop.hdfs.protocol.HdfsNamedFileStatus",
            "org.apache.hadoop.fs.s3a.S3AFileStatus",
            "org.apache.hadoop.fs.s3a.S3ALocatedFileStatus",
            "org.apache.hadoop.hdfs.protocol.HdfsBlockLocation");

    @Override
    public List<Class<?>> classes() {
        return List.of(Path[].class, FileStatus[].class, LocatedFileStatus[].class, BlockLocation[].class);
    }

    @Override
    public void register(Kryo kryo) {
        classes().forEach(kryo::register);
        kryo.register(Path.class, new PathSerializer());
        StatusSerializer statuses = new StatusSerializer();
        kryo.register(FileStatus.class, statuses);
        kryo.register(LocatedFileStatus.class, statuses);
        BlockSerializer blocks = new BlockSerializer();
        kryo.register(BlockLocation.class, blocks);
        // Absent classes are skipped in place: the ids of those after them stay the same only if
        // every JVM of a job has the same jars, which Spark ensures by shipping the application's.
        for (String name : FILESYSTEM_STATUSES) {
            Class<?> c = optionalClass(name);
            if (c == null) continue;
            kryo.register(c, BlockLocation.class.isAssignableFrom(c) ? blocks : statuses);
        }
    }

    private static Class<?> optionalClass(String name) {
        try {
            return Class.forName(name, false, FileListingKryoClasses.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    /** A path as its URI's text. */
    static final class PathSerializer extends Serializer<Path> {
        PathSerializer() {
            setImmutable(true);
        }

        @Override
        public void write(Kryo kryo, Output output, Path path) {
            output.writeString(path.toUri().toString());
        }

        @Override
        public Path read(Kryo kryo, Input input, Class<Path> type) {
            return new Path(URI.create(input.readString()));
        }
    }

    /** Any file status as a {@link LocatedFileStatus}, with its block locations when it has them. */
    static final class StatusSerializer extends Serializer<FileStatus> {
        @Override
        public void write(Kryo kryo, Output output, FileStatus s) {
            kryo.writeObject(output, s.getPath());
            output.writeLong(s.getLen());
            output.writeBoolean(s.isDirectory());
            output.writeShort(s.getReplication());
            output.writeLong(s.getBlockSize());
            output.writeLong(s.getModificationTime());
            output.writeLong(s.getAccessTime());
            boolean symlink = s.isSymlink();
            output.writeBoolean(symlink);
            if (symlink) {
                try {
                    kryo.writeObject(output, s.getSymlink());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            BlockLocation[] blocks = s instanceof LocatedFileStatus l ? l.getBlockLocations() : null;
            kryo.writeObjectOrNull(output, blocks, BlockLocation[].class);
        }

        @Override
        public FileStatus read(Kryo kryo, Input input, Class<FileStatus> type) {
            Path path = kryo.readObject(input, Path.class);
            long length = input.readLong();
            boolean dir = input.readBoolean();
            short replication = input.readShort();
            long blockSize = input.readLong();
            long modified = input.readLong();
            long accessed = input.readLong();
            Path symlink = input.readBoolean() ? kryo.readObject(input, Path.class) : null;
            BlockLocation[] blocks = kryo.readObjectOrNull(input, BlockLocation[].class);
            LocatedFileStatus s = new LocatedFileStatus(length, dir, replication, blockSize, modified, accessed,
                    null, null, null, null, path, blocks == null ? new BlockLocation[0] : blocks);
            if (symlink != null) s.setSymlink(symlink);
            return s;
        }
    }

    /** A block's hosts, names, topology, offset and length. */
    static final class BlockSerializer extends Serializer<BlockLocation> {
        @Override
        public void write(Kryo kryo, Output output, BlockLocation b) {
            try {
                writeStrings(output, b.getNames());
                writeStrings(output, b.getHosts());
                writeStrings(output, b.getCachedHosts());
                writeStrings(output, b.getTopologyPaths());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            output.writeLong(b.getOffset());
            output.writeLong(b.getLength());
            output.writeBoolean(b.isCorrupt());
        }

        @Override
        public BlockLocation read(Kryo kryo, Input input, Class<BlockLocation> type) {
            String[] names = readStrings(input);
            String[] hosts = readStrings(input);
            String[] cached = readStrings(input);
            String[] topology = readStrings(input);
            return new BlockLocation(names, hosts, cached, topology, input.readLong(), input.readLong(),
                    input.readBoolean());
        }

        private static void writeStrings(Output output, String[] values) {
            output.writeInt(values.length, true);
            for (String v : values) output.writeString(v);
        }

        private static String[] readStrings(Input input) {
            String[] values = new String[input.readInt(true)];
            for (int i = 0; i < values.length; i++) values[i] = input.readString();
            return values;
        }
    }
}
