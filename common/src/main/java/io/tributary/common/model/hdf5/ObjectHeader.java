package io.tributary.common.model.hdf5;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * An object header (File Format Specification 3.0, IV.A), version 1 or 2, with its continuation
 * blocks: the list of its messages, each a type, flags and its bytes. Checksums of version 2 headers
 * are verified; a message of a type this reader does not know, a shared message, or more than
 * {@link #MAX_MESSAGES} messages or {@link #MAX_CONTINUATIONS} continuation blocks is refused.
 */
final class ObjectHeader {
    static final int MAX_MESSAGES = 8192;
    static final int MAX_CONTINUATIONS = 1024;

    static final int NIL = 0x00;
    static final int DATASPACE = 0x01;
    static final int LINK_INFO = 0x02;
    static final int DATATYPE = 0x03;
    static final int FILL_VALUE_OLD = 0x04;
    static final int FILL_VALUE = 0x05;
    static final int LINK = 0x06;
    static final int EXTERNAL_FILES = 0x07;
    static final int LAYOUT = 0x08;
    static final int GROUP_INFO = 0x0A;
    static final int FILTER_PIPELINE = 0x0B;
    static final int ATTRIBUTE = 0x0C;
    static final int COMMENT = 0x0D;
    static final int MODIFICATION_TIME_OLD = 0x0E;
    static final int CONTINUATION = 0x10;
    static final int SYMBOL_TABLE = 0x11;
    static final int MODIFICATION_TIME = 0x12;
    static final int ATTRIBUTE_INFO = 0x15;
    static final int REFERENCE_COUNT = 0x16;

    /** Message types that may appear in an object's header, and those refused with a reason. */
    private static final Map<Integer, String> REFUSED = Map.of(
            0x09, "a \"bogus\" message (HDF5's own test message)",
            0x0F, "a shared message table, which belongs only in a superblock extension",
            0x13, "a B-tree 'K' values message, which belongs only in a superblock extension",
            0x14, "a driver info message, which belongs only in a superblock extension",
            0x17, "a file space info message, which belongs only in a superblock extension");
    private static final int LAST_KNOWN = 0x17;
    private static final int SHARED = 0x02;

    /** One message: its type, its flags and its bytes. */
    record Message(int type, int flags, Block data) {
    }

    private ObjectHeader() {
    }

    /** The messages of the object header at {@code address}, read for the object at {@code path}. */
    static List<Message> read(FileReader reader, String path, long address) {
        reader.visit(path, address, "its object header");
        Block peek = reader.read(path, address, 6, "an object header");
        List<Message> messages = new ArrayList<>();
        Deque<long[]> continuations = new ArrayDeque<>();
        boolean v2 = peek.u8("object header") == 'O';
        int creationOrder;
        if (v2) {
            creationOrder = readV2(reader, path, address, messages, continuations);
        } else {
            readV1(reader, path, address, messages, continuations);
            creationOrder = 0;
        }
        for (int n = 0; !continuations.isEmpty(); n++) {
            if (n >= MAX_CONTINUATIONS) {
                throw new Hdf5Exception(path, "has more than " + MAX_CONTINUATIONS + " object header continuation blocks");
            }
            long[] c = continuations.poll();
            reader.visit(path, c[0], "an object header continuation block");
            Block block = reader.read(path, c[0], c[1], "an object header continuation block");
            if (v2) {
                block.signature("OCHK", "object header continuation block");
                Block body = block.sub(block.remaining() - 4L, "object header continuation block");
                block.checksum("object header continuation block");
                messages(body, true, creationOrder, messages, continuations);
            } else {
                messages(block, false, 0, messages, continuations);
            }
        }
        return messages;
    }

    private static void readV1(FileReader reader, String path, long address, List<Message> messages,
                               Deque<long[]> continuations) {
        Block prefix = reader.read(path, address, 16, "an object header");
        if (prefix.u8("object header version") != 1) {
            throw prefix.malformed("object header version is neither 1 nor 2");
        }
        prefix.skip(7, "object header prefix");
        long size = prefix.u32("object header size");
        Block chunk = reader.read(path, address + 16, size, "an object header");
        messages(chunk, false, 0, messages, continuations);
    }

    /** Reads a version 2 header's first chunk; returns the size of each message's creation order field. */
    private static int readV2(FileReader reader, String path, long address, List<Message> messages,
                              Deque<long[]> continuations) {
        Block peek = reader.read(path, address, 6, "an object header");
        peek.signature("OHDR", "object header");
        if (peek.u8("object header version") != 2) {
            throw peek.malformed("object header version is not 2");
        }
        int flags = peek.u8("object header flags");
        if ((flags & ~0x3f) != 0) {
            throw peek.malformed("object header sets unknown flags");
        }
        int sizeBytes = 1 << (flags & 3);
        int prefix = 6 + ((flags & 0x20) != 0 ? 16 : 0) + ((flags & 0x10) != 0 ? 4 : 0);
        Block sizeField = reader.read(path, address + prefix, sizeBytes, "an object header");
        long chunk = sizeField.uint(sizeBytes, "object header chunk size");
        Block header = reader.read(path, address, prefix + sizeBytes + chunk + 4, "an object header");
        header.skip(prefix + sizeBytes, "object header prefix");
        Block body = header.sub(chunk, "object header");
        header.checksum("object header");
        int creationOrder = (flags & 0x04) != 0 ? 2 : 0;
        messages(body, true, creationOrder, messages, continuations);
        return creationOrder;
    }

    private static void messages(Block chunk, boolean v2, int creationOrder, List<Message> messages,
                                 Deque<long[]> continuations) {
        int headerSize = v2 ? 4 + creationOrder : 8;
        while (chunk.remaining() >= headerSize) {
            int type = v2 ? chunk.u8("message type") : chunk.u16("message type");
            int size = chunk.u16("message size");
            int flags = chunk.u8("message flags");
            chunk.skip(v2 ? creationOrder : 3, "message header");
            if (!v2 && size % 8 != 0) {
                throw chunk.malformed("a version 1 header message's size is not a multiple of 8");
            }
            Block data = chunk.sub(size, "a header message");
            if (type == NIL) {
                continue;
            }
            if (messages.size() >= MAX_MESSAGES) {
                throw chunk.refuse("has more than " + MAX_MESSAGES + " header messages");
            }
            if (type == CONTINUATION) {
                long at = data.address("continuation address");
                long length = data.length("continuation length");
                continuations.add(new long[] {at, length});
                continue;
            }
            if (REFUSED.containsKey(type) || type > LAST_KNOWN) {
                throw chunk.refuse("has " + REFUSED.getOrDefault(type, "a header message of type " + type
                        + ", which this reader does not know") + "; files written by h5py for Keras do not have it");
            }
            if ((flags & SHARED) != 0) {
                throw chunk.refuse("has a shared header message (of type " + type + ": a shared object header message"
                        + " or a committed datatype), which files written by h5py for Keras do not use");
            }
            messages.add(new Message(type, flags, data));
        }
        if (!v2 && chunk.remaining() != 0) {
            throw chunk.malformed("a version 1 object header ends inside a message header");
        }
    }
}
