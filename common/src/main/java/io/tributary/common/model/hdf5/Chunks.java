package io.tributary.common.model.hdf5;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A chunked dataset's chunks: found through its index (a version 1 B-tree, a single chunk, or implicit
 * indexing), each within the file, at an offset inside the dataset, stored once; and, on request,
 * each deflated chunk inflated in Java to check that it holds exactly one chunk's bytes, since the
 * HDF5 library grows its buffer for whatever a deflate stream expands to.
 */
final class Chunks {
    /** Chunks in all datasets of one file; each costs a few dozen bytes to remember. */
    static final int MAX_CHUNKS = 1_000_000;
    /** A chunk's bytes before filters: the HDF5 library's own limit (under 4 GiB). */
    static final long MAX_CHUNK_BYTES = (1L << 32) - 1;

    /** One stored chunk: where, how many bytes, which filters were skipped for it. */
    record Chunk(long address, long size, int filterMask) {
    }

    private final FileReader reader;
    private final String path;
    private final Dataspace space;
    private final Layout.Chunked layout;
    private final List<Filter> filters;
    private final long chunkBytes;
    private final long maxChunks;
    private final Set<List<Long>> offsets = new HashSet<>();
    private final List<Chunk> chunks = new ArrayList<>();

    private Chunks(FileReader reader, String path, Dataspace space, Layout.Chunked layout, List<Filter> filters,
                   long chunkBytes, long maxChunks) {
        this.reader = reader;
        this.path = path;
        this.space = space;
        this.layout = layout;
        this.filters = filters;
        this.chunkBytes = chunkBytes;
        this.maxChunks = maxChunks;
    }

    /** The chunks of dataset {@code path}, each checked against the file and the dataset. */
    static List<Chunk> read(FileReader reader, String path, Block where, Dataspace space, Layout.Chunked layout,
                            List<Filter> filters, long chunksSoFar, Hdf5File.Ks ks) {
        long chunkBytes = layout.chunkBytes(where);
        if (chunkBytes > MAX_CHUNK_BYTES || chunkBytes < 1) {
            throw where.malformed("chunks of " + chunkBytes + " bytes (the HDF5 library's limit is 4 GiB)");
        }
        long count = 1;
        for (int i = 0; i < space.dims().length; i++) {
            long dim = space.dims()[i];
            long chunk = layout.chunkDims()[i];
            if (chunk > Math.max(dim, 1)) {
                throw where.malformed("a chunk dimension of " + chunk + " beside a dataset dimension of " + dim);
            }
            count = Dataspace.multiply(where, count, (dim + chunk - 1) / chunk);
        }
        Chunks c = new Chunks(reader, path, space, layout, filters, chunkBytes, count);
        if (layout.address() == Hdf5File.UNDEFINED) {
            return List.of();   // never written: reads give the fill value
        }
        switch (layout.indexType()) {
            case Layout.Chunked.BTREE_V1 -> c.node(layout.address(), -1, ks.indexedStorage());
            case Layout.Chunked.SINGLE -> {
                if (count != 1) {
                    throw where.malformed("a single-chunk index for a dataset of " + count + " chunks");
                }
                boolean filtered = layout.filteredSize() >= 0;
                c.add(new Chunk(layout.address(), filtered ? layout.filteredSize() : chunkBytes,
                        filtered ? layout.filterMask() : 0), new long[space.dims().length + 1]);
            }
            case Layout.Chunked.FIXED_ARRAY -> c.fixedArray(layout.address(), count, !filters.isEmpty());
            default -> {
                if (!filters.isEmpty()) {
                    throw where.malformed("implicit chunk indexing with filters");
                }
                reader.within(path, layout.address(), Dataspace.multiply(where, count, chunkBytes), "its chunks");
                return List.of();
            }
        }
        if (chunksSoFar + c.chunks.size() > MAX_CHUNKS) {
            throw new Hdf5Exception(path, "brings the file's chunks past " + MAX_CHUNKS);
        }
        return List.copyOf(c.chunks);
    }

    private void node(long address, int expectedLevel, int k) {
        Hdf5File.Sizes sizes = reader.sizes();
        int rank = space.dims().length + 1;
        long keySize = 8 + 8L * rank;
        reader.visit(path, address, "a chunk B-tree node");
        long nodeSize = 8 + 2L * sizes.offsets() + 2L * k * sizes.offsets() + (2L * k + 1) * keySize;
        Block b = reader.read(path, address, nodeSize, "a chunk B-tree node");
        b.signature("TREE", "chunk B-tree node");
        if (b.u8("B-tree node type") != 1) {
            throw b.malformed("a dataset's B-tree node is not of type 1 (chunk nodes)");
        }
        int level = b.u8("B-tree node level");
        int entries = b.u16("B-tree entries");
        if ((expectedLevel >= 0 && level != expectedLevel) || level > 32 || entries > 2 * k) {
            throw b.malformed("chunk B-tree node of level " + level + " with " + entries + " entries");
        }
        b.address("B-tree left sibling");
        b.address("B-tree right sibling");
        for (int i = 0; i < entries; i++) {
            long size = b.u32("chunk size");
            int mask = (int) b.u32("chunk filter mask");
            long[] offset = new long[rank];
            for (int d = 0; d < rank; d++) {
                offset[d] = b.uint(8, "chunk offset");
            }
            long child = b.address("chunk address");
            if (level == 0) {
                add(new Chunk(child, size, mask), offset);
            } else {
                node(child, level - 1, k);
            }
        }
    }

    /**
     * A fixed array of chunk addresses (File Format Specification 3.0, VII.C, "Fixed Array Index"): a
     * header and one data block, each with a checksum; a data block split into pages (more chunks than
     * 2^page bits) is refused. Element i is the i-th chunk in row-major order of the chunk grid.
     */
    private void fixedArray(long address, long count, boolean filtered) {
        Hdf5File.Sizes sizes = reader.sizes();
        reader.visit(path, address, "a fixed array header");
        Block h = reader.read(path, address, 12 + sizes.lengths() + sizes.offsets(), "a fixed array header");
        h.signature("FAHD", "fixed array header");
        if (h.u8("fixed array version") != 0 || h.u8("fixed array client") != (filtered ? 1 : 0)) {
            throw h.malformed("fixed array header version or client");
        }
        int entrySize = h.u8("fixed array entry size");
        int pageBits = h.u8("fixed array page bits");
        long entries = h.length("fixed array entries");
        long block = h.address("fixed array data block address");
        h.checksum("fixed array header");
        int sizeBytes = entrySize - sizes.offsets() - 4;
        if (entries != count || (filtered ? sizeBytes < 1 || sizeBytes > 8 : entrySize != sizes.offsets())) {
            throw h.malformed("a fixed array of " + entries + " entries of " + entrySize + " bytes for " + count
                    + " chunks");
        }
        if (pageBits < 31 && entries > 1L << pageBits) {
            throw h.refuse("indexes its " + entries + " chunks with a fixed array split into pages, which this reader"
                    + " does not read; save the model with h5py's default file format");
        }
        reader.visit(path, block, "a fixed array data block");
        Block b = reader.read(path, block, 6 + sizes.offsets() + entries * entrySize + 4, "a fixed array data block");
        b.signature("FADB", "fixed array data block");
        b.skip(2, "fixed array data block version and client");
        if (b.address("fixed array header address") != address) {
            throw b.malformed("a fixed array data block that names another header");
        }
        long[] grid = new long[space.dims().length];
        for (int d = 0; d < grid.length; d++) {
            grid[d] = (Math.max(space.dims()[d], 1) + layout.chunkDims()[d] - 1) / layout.chunkDims()[d];
        }
        for (long i = 0; i < entries; i++) {
            long at = b.address("chunk address");
            long size = filtered ? b.uint(sizeBytes, "chunk size") : chunkBytes;
            int mask = filtered ? (int) b.u32("chunk filter mask") : 0;
            if (at != Hdf5File.UNDEFINED) {
                add(new Chunk(at, size, mask), offsetOf(i, grid));
            }
        }
        b.checksum("fixed array data block");
    }

    /** The offset of the {@code i}-th chunk of a row-major chunk grid, with the element-size dimension's 0. */
    private long[] offsetOf(long i, long[] grid) {
        long[] offset = new long[grid.length + 1];
        for (int d = grid.length - 1; d >= 0; d--) {
            offset[d] = (i % grid[d]) * layout.chunkDims()[d];
            i /= grid[d];
        }
        return offset;
    }

    private void add(Chunk chunk, long[] offset) {
        String where = "chunk at offset " + Arrays.toString(offset);
        long[] dims = space.dims();
        for (int d = 0; d < dims.length; d++) {
            if (offset[d] % layout.chunkDims()[d] != 0 || offset[d] >= Math.max(dims[d], 1)) {
                throw new Hdf5Exception(path, "has a " + where + " outside its " + space.shape() + " values");
            }
        }
        if (offset[dims.length] != 0) {
            throw new Hdf5Exception(path, "has a " + where + " whose last offset is not 0");
        }
        if (!offsets.add(Arrays.stream(offset).boxed().toList()) || offsets.size() > maxChunks) {
            throw new Hdf5Exception(path, "stores its " + where + " twice");
        }
        int all = (1 << filters.size()) - 1;
        if ((chunk.filterMask() & ~all) != 0) {
            throw new Hdf5Exception(path, "has a " + where + " that skips filters it does not have");
        }
        boolean filtered = (chunk.filterMask() & all) != all;
        if (chunk.size() < 1 || (!filtered && chunk.size() != chunkBytes)) {
            throw new Hdf5Exception(path, "has a " + where + " of " + chunk.size() + " bytes, where a chunk holds "
                    + chunkBytes);
        }
        reader.within(path, chunk.address(), chunk.size(), "a " + where);
        chunks.add(chunk);
    }

    /**
     * Inflates each deflated chunk of {@code chunks} and refuses one that does not expand to exactly
     * {@code chunkBytes} (a deflate bomb, or a stream that is cut short or corrupt).
     */
    static void inflate(FileReader reader, String path, List<Chunk> chunks, List<Filter> filters, long chunkBytes) {
        int deflate = filters.indexOf(new Filter(Filter.DEFLATE));
        if (deflate < 0) {
            return;
        }
        byte[] out = new byte[64 << 10];
        for (Chunk chunk : chunks) {
            if ((chunk.filterMask() & (1 << deflate)) != 0) {
                continue;   // deflate skipped for this chunk: stored whole, already sized
            }
            long produced = inflated(reader, chunk, out, chunkBytes + 1);
            if (produced != chunkBytes) {
                throw new Hdf5Exception(path, "has a deflated chunk of " + chunk.size() + " bytes at byte "
                        + chunk.address() + " that " + (produced < 0 ? "is not a complete deflate stream"
                        : "expands to " + (produced > chunkBytes ? "more than " : "") + Math.min(produced, chunkBytes)
                        + " bytes") + ", where a chunk holds " + chunkBytes);
            }
        }
    }

    /** The bytes {@code chunk} inflates to, counting at most {@code limit}; -1 when the stream does not end. */
    private static long inflated(FileReader reader, Chunk chunk, byte[] out, long limit) {
        Inflater inflater = new Inflater();
        try {
            long produced = 0;
            long read = 0;
            ByteBuffer in = ByteBuffer.allocate((int) Math.min(chunk.size(), 1 << 20));
            while (!inflater.finished() && produced < limit) {
                if (inflater.needsInput()) {
                    if (read == chunk.size()) {
                        return -1;
                    }
                    in.clear();
                    in.limit((int) Math.min(in.capacity(), chunk.size() - read));
                    reader.readFully(in, chunk.address() + read);
                    read += in.limit();
                    in.flip();
                    inflater.setInput(in);
                }
                produced += inflater.inflate(out, 0, (int) Math.min(out.length, limit - produced));
                if (inflater.needsDictionary()) {
                    return -1;
                }
            }
            return inflater.finished() || produced >= limit ? produced : -1;
        } catch (DataFormatException e) {
            return -1;
        } finally {
            inflater.end();
        }
    }
}
