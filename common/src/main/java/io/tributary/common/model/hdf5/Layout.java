package io.tributary.common.model.hdf5;

import java.util.Arrays;

/**
 * A data layout message (File Format Specification 3.0, IV.A.2.i), versions 1 to 4: compact,
 * contiguous or chunked storage. Virtual datasets (whose values come from other datasets, possibly in
 * other files) are refused, and so are the chunk indexes of version 4 for resizable datasets
 * (extensible arrays and version 2 B-trees).
 */
sealed interface Layout {
    /** Values kept in the header message itself. */
    record Compact(long size) implements Layout {
    }

    /** Values in one run of bytes; {@code address} undefined when never written (reads give the fill value). */
    record Contiguous(long address, long size) implements Layout {
    }

    /**
     * Values in chunks of {@code chunkDims} (without the element-size dimension), indexed by a version 1
     * B-tree (index type 0), a single chunk (1), implicitly (2) or by a fixed array (3) at {@code address}.
     *
     * @param filteredSize for a single filtered chunk, its stored size; otherwise -1
     */
    record Chunked(long[] chunkDims, long elementSize, int indexType, long address, long filteredSize, int filterMask)
            implements Layout {
        static final int BTREE_V1 = 0;
        static final int SINGLE = 1;
        static final int IMPLICIT = 2;
        static final int FIXED_ARRAY = 3;

        /** The bytes of one whole chunk, before filters. */
        long chunkBytes(Block b) {
            long n = elementSize;
            for (long d : chunkDims) {
                n = Dataspace.multiply(b, n, d);
            }
            return n;
        }
    }

    static Layout read(Block b, int datasetRank) {
        int version = b.u8("layout version");
        if (version < 1 || version > 4) {
            throw b.malformed("layout version " + version + " is not 1 to 4");
        }
        return version <= 2 ? readV1(b, datasetRank) : readV3(b, version, datasetRank);
    }

    private static Layout readV1(Block b, int datasetRank) {
        int rank = b.u8("layout dimensionality");
        int layoutClass = b.u8("layout class");
        b.skip(5, "layout reserved bytes");
        long address = layoutClass == 0 ? Hdf5File.UNDEFINED : b.address("data address");
        long[] dims = new long[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = b.u32("layout dimension");
        }
        switch (layoutClass) {
            case 0 -> {
                long size = b.u32("compact data size");
                b.skip(size, "compact data");
                return new Compact(size);
            }
            case 1 -> {
                return new Contiguous(address, -1);
            }
            case 2 -> {
                // Versions 1 and 2 give the element size after the chunk's dimensions.
                long[] withElement = Arrays.copyOf(dims, rank + 1);
                withElement[rank] = b.u32("dataset element size");
                return chunked(b, withElement, datasetRank, Chunked.BTREE_V1, address, -1, 0);
            }
            default -> throw b.malformed("layout class " + layoutClass);
        }
    }

    private static Layout readV3(Block b, int version, int datasetRank) {
        int layoutClass = b.u8("layout class");
        switch (layoutClass) {
            case 0 -> {
                int size = b.u16("compact data size");
                b.skip(size, "compact data");
                return new Compact(size);
            }
            case 1 -> {
                return new Contiguous(b.address("data address"), b.length("data size"));
            }
            case 2 -> {
                return version == 3 ? chunkedV3(b, datasetRank) : chunkedV4(b, datasetRank);
            }
            case 3 -> throw b.refuse("is a virtual dataset (its values come from other datasets, possibly in other"
                    + " files); a model file may only hold its own data, so it is refused unread");
            default -> throw b.malformed("layout class " + layoutClass);
        }
    }

    private static Layout chunkedV3(Block b, int datasetRank) {
        int rank = b.u8("chunk dimensionality");
        long address = b.address("chunk index address");
        long[] dims = new long[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = b.u32("chunk dimension");
        }
        return chunked(b, dims, datasetRank, Chunked.BTREE_V1, address, -1, 0);
    }

    private static Layout chunkedV4(Block b, int datasetRank) {
        int flags = b.u8("chunk flags");
        int rank = b.u8("chunk dimensionality");
        int encoded = b.u8("chunk dimension size");
        if (encoded < 1 || encoded > 8 || (flags & ~0x03) != 0) {
            throw b.malformed("chunked layout with flags " + flags + " and dimension fields of " + encoded + " bytes");
        }
        long[] dims = new long[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = b.uint(encoded, "chunk dimension");
        }
        int index = b.u8("chunk index type");
        long filteredSize = -1;
        int mask = 0;
        switch (index) {
            case Chunked.SINGLE -> {
                if ((flags & 0x02) != 0) {
                    filteredSize = b.length("single chunk filtered size");
                    mask = (int) b.u32("single chunk filter mask");
                }
            }
            case Chunked.IMPLICIT -> {
            }
            case Chunked.FIXED_ARRAY -> b.u8("fixed array page bits");
            case 4, 5 -> throw b.refuse("indexes its chunks with " + (index == 4 ? "an extensible array" : "a version 2"
                    + " B-tree") + ", which h5py writes only for resizable datasets in files made with libver=\"latest\"");
            default -> throw b.malformed("chunk index type " + index);
        }
        return chunked(b, dims, datasetRank, index, b.address("chunk index address"), filteredSize, mask);
    }

    /** Checks the chunk dimensions (the last being the element size) against the dataset's rank. */
    private static Layout chunked(Block b, long[] dims, int datasetRank, int index, long address, long filteredSize,
                                  int mask) {
        if (dims.length != datasetRank + 1) {
            throw b.malformed("chunks of " + (dims.length - 1) + " dimensions for a dataset of " + datasetRank);
        }
        long[] chunk = new long[datasetRank];
        for (int i = 0; i < datasetRank; i++) {
            if (dims[i] < 1) {
                throw b.malformed("a chunk dimension of 0");
            }
            chunk[i] = dims[i];
        }
        return new Chunked(chunk, dims[datasetRank], index, address, filteredSize, mask);
    }
}
