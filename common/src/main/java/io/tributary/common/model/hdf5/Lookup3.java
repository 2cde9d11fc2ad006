package io.tributary.common.model.hdf5;

/**
 * Bob Jenkins' lookup3 {@code hashlittle} with an initial value of 0: the checksum of HDF5's version 2
 * superblock, object headers and their continuation blocks (File Format Specification 3.0, "Checksum").
 */
final class Lookup3 {
    private Lookup3() {
    }

    static int hash(byte[] k, int offset, int length) {
        int a = 0xdeadbeef + length;
        int b = a;
        int c = a;
        int i = offset;
        int n = length;
        while (n > 12) {
            a += word(k, i);
            b += word(k, i + 4);
            c += word(k, i + 8);
            // mix(a, b, c)
            a -= c; a ^= Integer.rotateLeft(c, 4); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 6); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 8); b += a;
            a -= c; a ^= Integer.rotateLeft(c, 16); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 19); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 4); b += a;
            i += 12;
            n -= 12;
        }
        if (n == 0) {
            return c;
        }
        a += tail(k, i, Math.min(n, 4));
        if (n > 4) {
            b += tail(k, i + 4, Math.min(n - 4, 4));
        }
        if (n > 8) {
            c += tail(k, i + 8, n - 8);
        }
        // final(a, b, c)
        c ^= b; c -= Integer.rotateLeft(b, 14);
        a ^= c; a -= Integer.rotateLeft(c, 11);
        b ^= a; b -= Integer.rotateLeft(a, 25);
        c ^= b; c -= Integer.rotateLeft(b, 16);
        a ^= c; a -= Integer.rotateLeft(c, 4);
        b ^= a; b -= Integer.rotateLeft(a, 14);
        c ^= b; c -= Integer.rotateLeft(b, 24);
        return c;
    }

    private static int word(byte[] k, int i) {
        return (k[i] & 0xff) | (k[i + 1] & 0xff) << 8 | (k[i + 2] & 0xff) << 16 | (k[i + 3] & 0xff) << 24;
    }

    private static int tail(byte[] k, int i, int n) {
        int v = 0;
        for (int j = 0; j < n; j++) {
            v |= (k[i + j] & 0xff) << (8 * j);
        }
        return v;
    }
}
