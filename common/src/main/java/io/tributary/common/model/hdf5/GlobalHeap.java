package io.tributary.common.model.hdf5;

import java.util.HashMap;
import java.util.Map;

/**
 * A global heap collection ({@code GCOL}), where variable-length values (h5py's strings) live. Its
 * objects must tile the collection exactly, and a value must refer to an object of exactly its own
 * length, since the HDF5 library copies an object by the size the object declares. Read once per
 * collection and kept, for the strings a caller asks for.
 */
final class GlobalHeap {
    private final Block bytes;
    /** Object index to {offset from the collection's start, size}. */
    private final Map<Integer, long[]> objects;

    private GlobalHeap(Block bytes, Map<Integer, long[]> objects) {
        this.bytes = bytes;
        this.objects = objects;
    }

    static GlobalHeap read(FileReader reader, String object, long address) {
        int lengthSize = reader.sizes().lengths();
        int header = 8 + lengthSize;
        Block head = reader.read(object, address, header, "a global heap collection");
        head.signature("GCOL", "global heap collection");
        if (head.u8("global heap version") != 1) {
            throw head.malformed("global heap collection version is not 1");
        }
        head.skip(3, "global heap reserved bytes");
        long size = head.length("global heap collection size");
        if (size < header) {
            throw head.malformed("global heap collection is smaller than its header");
        }
        Block whole = reader.read(object, address, size, "a global heap collection");
        Block all = whole.named(object);
        all.skip(header, "global heap header");
        Map<Integer, long[]> objects = new HashMap<>();
        while (all.remaining() >= header) {
            int index = all.u16("global heap object index");
            all.skip(6, "global heap object reference count");
            long objectSize = all.length("global heap object size");
            long start = all.position() - address;
            if (index == 0) {
                if (objectSize != all.remaining() + header) {
                    throw all.malformed("global heap free space does not end where its collection ends");
                }
                all.skip(all.remaining(), "global heap free space");
                break;
            }
            long padded = (objectSize + 7) / 8 * 8;
            if (padded > all.remaining()) {
                throw all.malformed("global heap object " + index + " runs past its collection");
            }
            if (objects.put(index, new long[] {start, objectSize}) != null) {
                throw all.malformed("global heap object " + index + " appears twice in its collection");
            }
            all.skip(padded, "global heap object");
        }
        return new GlobalHeap(whole, objects);
    }

    /** Refuses a reference to object {@code index} unless the collection holds it with exactly {@code length} bytes. */
    void check(String object, int index, long length) {
        long[] at = objects.get(index);
        if (at == null || at[1] != length) {
            throw new Hdf5Exception(object, "refers to global heap object " + index + (at == null
                    ? ", which its collection does not hold" : " of " + at[1] + " bytes as a value of " + length + " bytes")
                    + "; the HDF5 library would read past the value");
        }
    }

    /** The bytes of object {@code index} (checked by {@link #check}). */
    byte[] object(String object, int index, long length) {
        check(object, index, length);
        long[] at = objects.get(index);
        return bytes.copy(at[0], at[1]);
    }
}
