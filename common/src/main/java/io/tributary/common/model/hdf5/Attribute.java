package io.tributary.common.model.hdf5;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An attribute message (File Format Specification 3.0, IV.A.2.m), versions 1 to 3: its name,
 * datatype, dataspace and values, which must fit in the message (the HDF5 library copies as many
 * bytes as the datatype and dataspace declare). A variable-length value must refer to a global heap
 * object of exactly its length.
 *
 * @param name  the attribute's name
 * @param type  its datatype
 * @param space its dataspace
 * @param data  its values as stored: for variable-length values, references into the global heap
 */
public record Attribute(String name, Datatype type, Dataspace space, byte[] data) {
    /** The longest attribute name read. */
    static final int MAX_NAME = 4096;

    static Attribute read(FileReader reader, String object, Block b) {
        int version = b.u8("attribute version");
        if (version < 1 || version > 3) {
            throw b.malformed("attribute version " + version + " is not 1 to 3");
        }
        int flags = b.u8("attribute flags");
        if (version > 1 && flags != 0) {
            throw b.refuse("has an attribute with a shared datatype or dataspace, which files written by h5py for"
                    + " Keras do not use");
        }
        int nameSize = b.u16("attribute name size");
        int typeSize = b.u16("attribute datatype size");
        int spaceSize = b.u16("attribute dataspace size");
        if (version == 3) {
            b.u8("attribute name character set");
        }
        int pad = version == 1 ? 8 : 1;
        Block nameBlock = b.sub(padded(nameSize, pad), "attribute name");
        String name = nameBlock.cString(Math.min(nameSize, MAX_NAME), "an attribute name");
        if (name.isEmpty()) {
            throw b.malformed("an attribute without a name");
        }
        Block named = b.named(object + " (attribute \"" + name + "\")");
        Block typeBlock = sub(b, named, padded(typeSize, pad), "attribute datatype");
        Block spaceBlock = sub(b, named, padded(spaceSize, pad), "attribute dataspace");
        Datatype type = Datatype.read(typeBlock);
        Dataspace space = Dataspace.read(spaceBlock);
        long bytes = Dataspace.multiply(named, space.elements(), type.size());
        byte[] data = b.bytes(Math.min(bytes, Integer.MAX_VALUE), "attribute values");
        Attribute attribute = new Attribute(name, type, space, data);
        if (type.isVariableLength()) {
            attribute.references(reader, named.object(), false);
        }
        return attribute;
    }

    private static long padded(long size, int pad) {
        return (size + pad - 1) / pad * pad;
    }

    /** The next {@code n} bytes of {@code b}, read as part of the attribute that {@code named} names. */
    private static Block sub(Block b, Block named, long n, String what) {
        Block part = b.sub(n, what);
        return part.named(named.object());
    }

    /**
     * The values as strings: a fixed-length string's bytes up to its first NUL, a variable-length
     * string's bytes; {@code null} when the values are not strings.
     */
    List<String> strings(FileReader reader, String object) {
        if (!type.isString()) {
            return null;
        }
        if (type.isVariableLength()) {
            return references(reader, object, true);
        }
        List<String> values = new ArrayList<>();
        int size = (int) type.size();
        for (int i = 0; i + size <= data.length; i += size) {
            int end = i;
            while (end < i + size && data[end] != 0) {
                end++;
            }
            values.add(new String(data, i, end - i, StandardCharsets.UTF_8).stripTrailing());
        }
        return values;
    }

    /** Checks every variable-length value's reference; with {@code read}, returns the values as strings. */
    private List<String> references(FileReader reader, String object, boolean read) {
        Block b = new Block(object, 0, data, 0, data.length, reader.sizes());
        long base = type.base().size();
        List<String> values = new ArrayList<>();
        for (long i = 0; i < space.elements(); i++) {
            long length = b.u32("variable-length value length");
            long heap = b.address("global heap collection address");
            int index = (int) b.u32("global heap object index");
            if (length == 0) {
                values.add("");
                continue;
            }
            GlobalHeap collection = reader.globalHeap(object, heap);
            long bytes = Dataspace.multiply(b, length, base);
            if (read) {
                values.add(new String(collection.object(object, index, bytes), StandardCharsets.UTF_8));
            } else {
                collection.check(object, index, bytes);
            }
        }
        return values;
    }
}
