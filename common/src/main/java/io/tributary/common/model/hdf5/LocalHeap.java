package io.tributary.common.model.hdf5;

/**
 * A local heap ({@code HEAP}): the link names of an old-style group. Its data segment and free list
 * must lie within it, and every name must end (with a NUL) within the segment.
 */
final class LocalHeap {
    /** The longest link name read; far longer than any Keras layer or weight name. */
    static final int MAX_NAME = 4096;

    private final Block data;

    private LocalHeap(Block data) {
        this.data = data;
    }

    static LocalHeap read(FileReader reader, String object, long address) {
        Hdf5File.Sizes sizes = reader.sizes();
        Block head = reader.read(object, address, 8 + 2L * sizes.lengths() + sizes.offsets(), "a local heap");
        head.signature("HEAP", "local heap");
        if (head.u8("local heap version") != 0) {
            throw head.malformed("local heap version is not 0");
        }
        head.skip(3, "local heap reserved bytes");
        long size = head.length("local heap data segment size");
        long free = head.lengthOrUndefined("local heap free list offset");
        Block data = reader.read(object, head.address("local heap data segment address"), size,
                "a local heap's data segment");
        // The free list: blocks of (next offset, size) within the segment; the HDF5 library ends it with 1
        // (H5HL_FREE_NULL), the specification with the undefined length (all 1s).
        for (int n = 0; free != Hdf5File.UNDEFINED && free != 1; n++) {
            if (n > size / (2L * sizes.lengths()) || free > size - 2L * sizes.lengths()) {
                throw head.malformed("local heap free list leaves its data segment or loops");
            }
            Block block = data.named(object);
            block.skip(free, "local heap free block");
            long next = block.lengthOrUndefined("local heap free block");
            if (block.length("local heap free block size") > size - free) {
                throw head.malformed("local heap free block runs past its data segment");
            }
            free = next;
        }
        return new LocalHeap(data);
    }

    /** The NUL-terminated name at {@code offset} in the data segment. */
    String name(String object, long offset) {
        Block b = data.named(object);
        if (offset < 0 || offset >= b.remaining()) {
            throw new Hdf5Exception(object, "names a link at offset " + offset + " of a local heap of " + b.remaining()
                    + " bytes");
        }
        b.skip(offset, "link name");
        return b.cString(MAX_NAME, "a link name");
    }
}
