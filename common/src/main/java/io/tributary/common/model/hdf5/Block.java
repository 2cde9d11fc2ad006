package io.tributary.common.model.hdf5;

import java.nio.charset.StandardCharsets;

/**
 * A little-endian cursor over bytes read from the file, where every read is checked against the
 * bytes there are: a field that runs past its structure is a refusal naming the object, never an
 * exception of the JDK or a read of other bytes.
 */
final class Block {
    private final String object;
    private final long address;
    private final byte[] bytes;
    private final int start;
    private final int end;
    private final Hdf5File.Sizes sizes;
    private int pos;

    Block(String object, long address, byte[] bytes, int start, int end, Hdf5File.Sizes sizes) {
        this.object = object;
        this.address = address;
        this.bytes = bytes;
        this.start = start;
        this.end = end;
        this.sizes = sizes;
        this.pos = start;
    }

    /** The file address of the next byte. */
    long position() {
        return address + (pos - start);
    }

    int remaining() {
        return end - pos;
    }

    String object() {
        return object;
    }

    Hdf5File.Sizes sizes() {
        return sizes;
    }

    private void need(long n, String what) {
        if (n < 0 || n > end - pos) {
            throw malformed(what + " runs past the end of its structure");
        }
    }

    int u8(String what) {
        need(1, what);
        return bytes[pos++] & 0xff;
    }

    int u16(String what) {
        need(2, what);
        int v = (bytes[pos] & 0xff) | (bytes[pos + 1] & 0xff) << 8;
        pos += 2;
        return v;
    }

    long u32(String what) {
        need(4, what);
        long v = unsigned(4);
        return v;
    }

    /** An unsigned integer of {@code size} bytes (1 to 8); refused when it does not fit in a long. */
    long uint(int size, String what) {
        need(size, what);
        if (size == 8 && (bytes[pos + 7] & 0x80) != 0) {
            pos += 8;
            throw malformed(what + " is larger than 2^63");
        }
        return unsigned(size);
    }

    private long unsigned(int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = (v << 8) | (bytes[pos + i] & 0xffL);
        }
        pos += size;
        return v;
    }

    /** An address (the file's size of offsets); {@link Hdf5File#UNDEFINED} for HDF5's undefined address. */
    long address(String what) {
        int size = sizes.offsets();
        need(size, what);
        boolean undefined = true;
        for (int i = 0; i < size; i++) {
            undefined &= bytes[pos + i] == (byte) 0xff;
        }
        if (undefined) {
            pos += size;
            return Hdf5File.UNDEFINED;
        }
        return uint(size, what);
    }

    /** A length (the file's size of lengths), or {@link Hdf5File#UNDEFINED} when all its bits are set. */
    long lengthOrUndefined(String what) {
        int size = sizes.lengths();
        need(size, what);
        boolean undefined = true;
        for (int i = 0; i < size; i++) {
            undefined &= bytes[pos + i] == (byte) 0xff;
        }
        if (undefined) {
            pos += size;
            return Hdf5File.UNDEFINED;
        }
        return uint(size, what);
    }

    /** A length (the file's size of lengths). */
    long length(String what) {
        return uint(sizes.lengths(), what);
    }

    byte[] bytes(long n, String what) {
        need(n, what);
        byte[] b = new byte[(int) n];
        System.arraycopy(bytes, pos, b, 0, (int) n);
        pos += (int) n;
        return b;
    }

    /** A copy of {@code n} bytes from {@code offset} bytes after the block's start, which must lie within it. */
    byte[] copy(long offset, long n) {
        if (offset < 0 || n < 0 || offset > end - start || n > end - start - offset) {
            throw malformed("a value runs past the end of its structure");
        }
        byte[] b = new byte[(int) n];
        System.arraycopy(bytes, start + (int) offset, b, 0, (int) n);
        return b;
    }

    void skip(long n, String what) {
        need(n, what);
        pos += (int) n;
    }

    /** The next {@code n} bytes as a block of their own; this cursor moves past them. */
    Block sub(long n, String what) {
        need(n, what);
        Block b = new Block(object, position(), bytes, pos, pos + (int) n, sizes);
        pos += (int) n;
        return b;
    }

    /** The same bytes read by another object (an attribute's, a link's), for messages naming it. */
    Block named(String other) {
        Block b = new Block(other, position(), bytes, pos, end, sizes);
        return b;
    }

    /** Moves to the next multiple of {@code alignment} from the block's start. */
    void align(int alignment, String what) {
        int over = (pos - start) % alignment;
        if (over != 0) {
            skip(alignment - over, what);
        }
    }

    void signature(String expected, String what) {
        byte[] b = bytes(expected.length(), what + " signature");
        if (!new String(b, StandardCharsets.ISO_8859_1).equals(expected)) {
            throw malformed(what + " does not start with \"" + expected + "\"");
        }
    }

    /** A NUL-terminated string that must end within {@code max} bytes of here and within the block. */
    String cString(int max, String what) {
        int limit = Math.min(end, pos + max);
        for (int i = pos; i < limit; i++) {
            if (bytes[i] == 0) {
                String s = new String(bytes, pos, i - pos, StandardCharsets.UTF_8);
                pos = i + 1;
                return s;
            }
        }
        throw malformed(what + " has no terminating NUL within its structure");
    }

    /** The Jenkins lookup3 checksum of this block's bytes from its start to here, against the next 4 bytes. */
    void checksum(String what) {
        int computed = Lookup3.hash(bytes, start, pos - start);
        long stored = u32(what + " checksum");
        if ((computed & 0xffffffffL) != stored) {
            throw malformed(what + " fails its checksum");
        }
    }

    Hdf5Exception malformed(String what) {
        return new Hdf5Exception(object, "is not a well-formed HDF5 structure: " + what + " (near byte " + position()
                + ")");
    }

    Hdf5Exception refuse(String problem) {
        return new Hdf5Exception(object, problem);
    }
}
