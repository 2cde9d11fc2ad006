package io.tributary.common.model;

import io.tributary.common.InputException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks a file's first bytes before the HDF5 native library opens it: the HDF5 signature, and the
 * superblock's end-of-file address against the file's length. The native library reads a file by
 * the addresses its superblock gives; a truncated or forged file is refused here, in Java, so that
 * the library is only handed files whose declared extent is all present.
 *
 * <p>Format: HDF5 File Format Specification 3.0, section II.A (superblock versions 0 to 3). The
 * signature lies at offset 0, or at 512, 1024, 2048, ... when the file starts with a user block.
 */
final class Hdf5Header {
    static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    private static final byte[] ZIP = {'P', 'K', 3, 4};
    /** The largest user block searched for the signature (HDF5 allows any power of two from 512). */
    private static final long MAX_USER_BLOCK = 1L << 20;
    static final String SUPPORTED = "supported: a Keras 2 HDF5 file (.h5) saved with model.save";

    private Hdf5Header() {
    }

    /** Refuses {@code file} unless it is an HDF5 file whose superblock fits in it; {@code source} names it in errors. */
    static void check(String source, Path file) {
        long length;
        try {
            length = Files.size(file);
        } catch (IOException e) {
            throw new InputException("Cannot read Keras model " + source + ": " + e.getMessage(), e);
        }
        byte[] head = read(source, file, 0, 64);
        if (startsWith(head, ZIP)) {
            throw new InputException("Keras model " + source + " is a zip archive (a Keras 3 .keras file), not HDF5; "
                    + SUPPORTED);
        }
        for (long at = 0; at <= Math.min(length - SIGNATURE.length, MAX_USER_BLOCK); at = at == 0 ? 512 : at * 2) {
            byte[] block = at == 0 ? head : read(source, file, at, 64);
            if (startsWith(block, SIGNATURE)) {
                checkSuperblock(source, block, at, length);
                return;
            }
        }
        throw new InputException("Keras model " + source + " does not start with the HDF5 signature (its first bytes are "
                + hex(head, 8) + "); " + SUPPORTED);
    }

    private static void checkSuperblock(String source, byte[] block, long at, long length) {
        if (block.length < 13) {
            throw truncated(source, length, "its superblock is cut off");
        }
        int version = block[8] & 0xff;
        int offsetSize;
        int eofAt;
        if (version == 0 || version == 1) {
            offsetSize = block[13] & 0xff;
            // version, free-space, root-group, reserved, shared-header versions, two sizes, reserved,
            // two 2-byte K values, 4-byte flags (+ 4 bytes in version 1); then base, free-space,
            // end-of-file and driver addresses.
            int baseAt = version == 0 ? 24 : 28;
            eofAt = baseAt + 2 * offsetSize;
        } else if (version == 2 || version == 3) {
            offsetSize = block[9] & 0xff;
            eofAt = 12 + 2 * offsetSize;    // version, two sizes, flags; base, extension, end-of-file
        } else {
            throw new InputException("Keras model " + source + " has HDF5 superblock version " + version
                    + ", which this reader does not know (versions 0 to 3); " + SUPPORTED);
        }
        if (offsetSize != 2 && offsetSize != 4 && offsetSize != 8) {
            throw new InputException("Keras model " + source + " declares HDF5 addresses of " + offsetSize
                    + " bytes; HDF5 uses 2, 4 or 8");
        }
        if (block.length < eofAt + offsetSize) {
            throw truncated(source, length, "its superblock is cut off");
        }
        int baseAt = eofAt - 2 * offsetSize;
        long base = address(block, baseAt, offsetSize);
        long eof = address(block, eofAt, offsetSize);
        // Addresses are relative to the base address (the superblock's own position unless set).
        long end = (base == -1 ? at : base) + eof;
        if (eof < 0 || end < 0 || end > length) {
            throw truncated(source, length, "its superblock says the file ends at byte " + Long.toUnsignedString(end));
        }
    }

    private static InputException truncated(String source, long length, String why) {
        return new InputException("Keras model " + source + " is a truncated HDF5 file: it has " + length + " bytes but "
                + why + "; copy the whole file again");
    }

    /** An unsigned little-endian address; -1 for HDF5's "undefined address" (all bits set). */
    private static long address(byte[] b, int at, int size) {
        long value = 0;
        boolean undefined = true;
        for (int i = size - 1; i >= 0; i--) {
            value = (value << 8) | (b[at + i] & 0xffL);
            undefined &= b[at + i] == (byte) 0xff;
        }
        return undefined ? -1 : value;
    }

    private static byte[] read(String source, Path file, long offset, int n) {
        try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(offset);
            return in.readNBytes(n);
        } catch (java.io.EOFException e) {
            return new byte[0];
        } catch (IOException e) {
            throw new InputException("Cannot read Keras model " + source + ": " + e.getMessage(), e);
        }
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static String hex(byte[] b, int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(n, b.length); i++) {
            s.append(String.format("%02x", b[i] & 0xff));
            if (i < Math.min(n, b.length) - 1) s.append(' ');
        }
        return s.length() == 0 ? "none: the file is empty" : s.toString();
    }
}
