package io.tributary.common.model.hdf5;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The structure of an HDF5 file, read in Java before any native code sees the file (HDF5 File Format
 * Specification 3.0): superblock versions 0 to 3, object headers versions 1 and 2 with their
 * continuation blocks, old-style groups (symbol tables: a version 1 B-tree, symbol table nodes and a
 * local heap) and new-style groups (link messages), attributes (variable-length values through the
 * global heap), and for every dataset its dataspace, datatype, layout, filters and chunks.
 *
 * <p>Every object reachable from the root group is visited once (a second visit, by a cycle or a
 * second hard link, is refused), within {@link #MAX_OBJECTS} objects, {@link #MAX_DEPTH} levels of
 * groups and {@link FileReader#MAX_METADATA_BYTES} bytes of structure, and every address and length is
 * checked against the file's length. Refused, with an {@link Hdf5Exception} naming the object:
 * external storage, external, soft and user-defined links, virtual datasets, filters other than
 * deflate and shuffle, shared messages, dense (fractal heap) link and attribute storage, committed
 * datatypes and other objects that are neither groups nor datasets, datatypes outside
 * {@link Datatype}'s set, resizable datasets, and any value or chunk whose extent lies outside the
 * file. What is accepted is the subset of HDF5 that h5py writes for Keras with its default file format.
 */
public final class Hdf5File {
    /** HDF5's undefined address (all bits set). */
    public static final long UNDEFINED = -1;
    /** Far more objects than a Keras model's file holds (a few per layer). */
    public static final int MAX_OBJECTS = 100_000;
    /** Far deeper than Keras nests groups (about 4 levels; nested models add a few). */
    public static final int MAX_DEPTH = 64;
    static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    /** The largest user block searched for the signature (HDF5 allows any power of two from 512). */
    private static final long MAX_USER_BLOCK = 1L << 20;

    /** Sizes of addresses ("offsets") and lengths in this file, in bytes. */
    record Sizes(int offsets, int lengths) {
    }

    /** B-tree K values: group leaf and internal nodes, chunk index nodes. */
    record Ks(int groupLeaf, int groupInternal, int indexedStorage) {
    }

    /** A group: its path, the names of its members, its attributes by name. */
    public record Group(String path, List<String> members, Map<String, Attribute> attributes) {
    }

    /**
     * A dataset: its path, shape, type, storage and attributes.
     *
     * @param stored the bytes its values occupy in the file (0 when never written)
     */
    public record Dataset(String path, Dataspace space, Datatype type, Layout layout, List<Filter> filters,
                          List<Chunks.Chunk> chunks, Map<String, Attribute> attributes, long stored) {
        /** How many values it declares. */
        public long elements() {
            return space.elements();
        }

        /** Its shape, e.g. "3x3x1x32". */
        public String shape() {
            return space.shape();
        }
    }

    private final Path file;
    private final FileReader reader;
    private final Map<String, Group> groups;
    private final Map<String, Dataset> datasets;

    private Hdf5File(Path file, FileReader reader, Map<String, Group> groups, Map<String, Dataset> datasets) {
        this.file = file;
        this.reader = reader;
        this.groups = groups;
        this.datasets = datasets;
    }

    /**
     * Reads and checks the structure of the HDF5 file {@code file}.
     *
     * @throws Hdf5Exception        when the file is not HDF5, is cut short, or breaks a rule above
     * @throws UncheckedIOException when it cannot be read
     */
    public static Hdf5File read(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long length = channel.size();
            long at = signature(channel, length);
            Superblock superblock = Superblock.read(channel, at, length);
            FileReader reader = new FileReader(channel, at, superblock.end());
            reader.sizes(superblock.sizes());
            Walk walk = new Walk(reader, superblock.ks());
            walk.from(superblock.root());
            return new Hdf5File(file, reader, walk.groups, walk.datasets);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where the superblock starts: at 0, or after a user block of 512, 1024, 2048... bytes. */
    private static long signature(FileChannel channel, long length) throws IOException {
        for (long at = 0; at <= Math.min(length - SIGNATURE.length, MAX_USER_BLOCK); at = at == 0 ? 512 : at * 2) {
            ByteBuffer b = ByteBuffer.allocate(SIGNATURE.length);
            channel.read(b, at);
            if (Arrays.equals(b.array(), SIGNATURE)) {
                return at;
            }
        }
        ByteBuffer head = ByteBuffer.allocate((int) Math.min(8, Math.max(length, 0)));
        channel.read(head, 0);
        throw new Hdf5Exception("", "does not start with the HDF5 signature (its first bytes are "
                + hex(head.array()) + ")");
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(s.length() == 0 ? "" : " ").append(String.format("%02x", x & 0xff));
        }
        return s.length() == 0 ? "none: the file is empty" : s.toString();
    }

    /** The path of member {@code name} of group {@code parent}. */
    static String child(String parent, String name) {
        return parent.equals("/") ? "/" + name : parent + "/" + name;
    }

    public Optional<Group> group(String path) {
        return Optional.ofNullable(groups.get(path));
    }

    public Optional<Dataset> dataset(String path) {
        return Optional.ofNullable(datasets.get(path));
    }

    /** Every dataset, in the order they were reached (depth first, members in the order stored). */
    public Collection<Dataset> datasets() {
        return datasets.values();
    }

    /**
     * The strings of attribute {@code name} of the object at {@code path}: empty when there is no such
     * attribute, {@code null} inside when its values are not strings.
     */
    public Optional<List<String>> strings(String path, String name) {
        Map<String, Attribute> attributes = groups.containsKey(path) ? groups.get(path).attributes()
                : datasets.containsKey(path) ? datasets.get(path).attributes() : Map.of();
        Attribute a = attributes.get(name);
        return a == null ? Optional.empty() : Optional.ofNullable(a.strings(reader, path));
    }

    /**
     * Inflates the deflated chunks of {@code dataset} and refuses the dataset when one does not expand
     * to exactly one chunk's bytes; the values themselves are not kept.
     */
    public void checkValues(Dataset dataset) {
        if (!(dataset.layout() instanceof Layout.Chunked chunked) || dataset.chunks().isEmpty()) {
            return;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            FileReader data = reader.reopened(channel);
            long chunkBytes = chunked.elementSize();
            for (long d : chunked.chunkDims()) {
                chunkBytes *= d;
            }
            Chunks.inflate(data, dataset.path(), dataset.chunks(), dataset.filters(), chunkBytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The superblock: sizes, K values, the file's declared end, the root group's object header. */
    private record Superblock(Sizes sizes, Ks ks, long end, long root) {
        static Superblock read(FileChannel channel, long at, long length) throws IOException {
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(256, length - at));
            channel.read(buffer, at);
            byte[] bytes = Arrays.copyOf(buffer.array(), buffer.position());
            int version = bytes.length > 8 ? bytes[8] & 0xff : -1;
            int sizesAt = version <= 1 ? 13 : 9;
            if (bytes.length < sizesAt + 2) {
                throw truncated(length, "its superblock is cut off");
            }
            if (version > 3) {
                throw new Hdf5Exception("superblock", "has version " + version
                        + ", which this reader does not know (versions 0 to 3)");
            }
            int offsets = bytes[sizesAt] & 0xff;
            int lengths = bytes[sizesAt + 1] & 0xff;
            if ((offsets != 2 && offsets != 4 && offsets != 8) || (lengths != 2 && lengths != 4 && lengths != 8)) {
                throw new Hdf5Exception("superblock", "declares addresses of " + offsets + " and lengths of " + lengths
                        + " bytes; HDF5 uses 2, 4 or 8");
            }
            Block b = new Block("superblock", 0, bytes, 0, bytes.length, new Sizes(offsets, lengths));
            b.skip(sizesAt + 2, "superblock");
            try {
                return version <= 1 ? v0(b, version, at, length) : v2(b, at, length);
            } catch (Hdf5Exception e) {
                if (bytes.length < 256 && e.getMessage().contains("runs past")) {
                    throw truncated(length, "its superblock is cut off");
                }
                throw e;
            }
        }

        private static Superblock v0(Block b, int version, long at, long length) {
            b.skip(1, "superblock reserved byte");
            int leaf = b.u16("group leaf node K");
            int internal = b.u16("group internal node K");
            b.skip(4, "file consistency flags");
            int indexed = 32;
            if (version == 1) {
                indexed = b.u16("indexed storage internal node K");
                b.skip(2, "superblock reserved bytes");
            }
            if (leaf < 1 || internal < 1 || indexed < 1) {
                throw b.malformed("B-tree K values of 0");
            }
            base(b, at);
            b.address("free-space info address");
            long end = end(b, at, length);
            if (b.address("driver information block address") != UNDEFINED) {
                throw b.refuse("names a driver information block (a file split over several files, or a family of"
                        + " files), which h5py writes only for non-default file drivers");
            }
            b.address("root link name offset");
            long root = b.address("root object header address");
            return new Superblock(b.sizes(), new Ks(leaf, internal, indexed), end, root);
        }

        private static Superblock v2(Block b, long at, long length) {
            b.skip(1, "file consistency flags");
            base(b, at);
            long extension = b.address("superblock extension address");
            long end = end(b, at, length);
            long root = b.address("root object header address");
            b.checksum("superblock");
            if (extension != UNDEFINED) {
                throw b.refuse("has a superblock extension (file options beyond h5py's defaults), which this reader"
                        + " does not read");
            }
            return new Superblock(b.sizes(), new Ks(4, 16, 32), end, root);
        }

        /** The base address must be the superblock's position, which is what the HDF5 library uses. */
        private static void base(Block b, long at) {
            long base = b.address("base address");
            if (base != at) {
                throw b.malformed("the base address " + Long.toUnsignedString(base) + " is not the superblock's"
                        + " position " + at);
            }
        }

        /** The declared end of the file (an absolute address, user block included), relative to the superblock. */
        private static long end(Block b, long at, long length) {
            long end = b.address("end-of-file address");
            if (end == UNDEFINED || end > length) {
                throw truncated(length, "its superblock says the file ends at byte "
                        + (end == UNDEFINED ? "(undefined)" : Long.toUnsignedString(end)));
            }
            if (end < at) {
                throw b.malformed("the file ends at byte " + end + ", before its superblock at " + at);
            }
            return end - at;
        }

        private static Hdf5Exception truncated(long length, String why) {
            return new Hdf5Exception("", "is a truncated HDF5 file: it has " + length + " bytes but " + why
                    + "; copy the whole file again");
        }
    }

    /** The walk from the root group through every object. */
    private static final class Walk {
        private final FileReader reader;
        private final Ks ks;
        private final Map<String, Group> groups = new LinkedHashMap<>();
        private final Map<String, Dataset> datasets = new LinkedHashMap<>();
        private long chunks;

        Walk(FileReader reader, Ks ks) {
            this.reader = reader;
            this.ks = ks;
        }

        void from(long root) {
            Deque<Object[]> pending = new ArrayDeque<>();
            pending.push(new Object[] {"/", root, 0});
            int objects = 0;
            while (!pending.isEmpty()) {
                Object[] next = pending.pop();
                String path = (String) next[0];
                int depth = (Integer) next[2];
                if (++objects > MAX_OBJECTS) {
                    throw new Hdf5Exception(path, "brings the file past " + MAX_OBJECTS + " objects, far more than a"
                            + " Keras model's file holds");
                }
                Map<String, Long> members = object(path, (Long) next[1]);
                if (members != null && !members.isEmpty()) {
                    if (depth >= MAX_DEPTH) {
                        throw new Hdf5Exception(path, "lies " + depth + " groups deep, deeper than Keras nests groups");
                    }
                    List<Map.Entry<String, Long>> entries = List.copyOf(members.entrySet());
                    for (int i = entries.size() - 1; i >= 0; i--) {
                        pending.push(new Object[] {child(path, entries.get(i).getKey()), entries.get(i).getValue(),
                            depth + 1});
                    }
                }
            }
        }

        /** Reads the object at {@code path}; returns a group's members, or {@code null} for a dataset. */
        private Map<String, Long> object(String path, long address) {
            ObjectMessages m = ObjectMessages.of(reader, path, ObjectHeader.read(reader, path, address));
            if (m.isGroup()) {
                Map<String, Long> members = m.members(reader, ks);
                groups.put(path, new Group(path, List.copyOf(members.keySet()), m.attributes()));
                return members;
            }
            Dataset dataset = m.dataset(reader, ks, chunks);
            chunks += dataset.chunks().size();
            datasets.put(path, dataset);
            return null;
        }
    }
}
