package io.tributary.common.model.hdf5;

/**
 * A dataspace message (File Format Specification 3.0, IV.A.2.b): a scalar, a null dataspace (no
 * values) or a simple one of up to 32 dimensions. Maximum sizes other than the current ones (a
 * resizable dataset) and dimension permutations are refused; Keras writes neither.
 *
 * @param dims     the dimensions; empty for a scalar or a null dataspace
 * @param elements how many values it holds: 1 for a scalar, 0 for a null dataspace
 */
public record Dataspace(long[] dims, long elements) {
    static final int MAX_RANK = 32;

    static Dataspace read(Block b) {
        int version = b.u8("dataspace version");
        int rank = b.u8("dataspace rank");
        int flags = b.u8("dataspace flags");
        boolean isNull;
        if (version == 1) {
            b.skip(5, "dataspace reserved bytes");
            isNull = false;
        } else if (version == 2) {
            int type = b.u8("dataspace type");
            if (type > 2 || (type != 1 && rank != 0)) {
                throw b.malformed("dataspace type " + type + " with rank " + rank);
            }
            isNull = type == 2;
        } else {
            throw b.malformed("dataspace version " + version + " is neither 1 nor 2");
        }
        if (rank > MAX_RANK || (flags & ~0x03) != 0) {
            throw b.malformed("dataspace of rank " + rank + " with flags " + flags);
        }
        if ((flags & 0x02) != 0) {
            throw b.refuse("has a dataspace with a dimension permutation, which HDF5 itself never implemented");
        }
        long[] dims = new long[rank];
        long elements = isNull ? 0 : 1;
        for (int i = 0; i < rank; i++) {
            dims[i] = b.length("dataspace dimension");
            elements = multiply(b, elements, dims[i]);
        }
        if ((flags & 0x01) != 0) {
            for (int i = 0; i < rank; i++) {
                long max = b.lengthOrUndefined("dataspace maximum dimension");
                if (max != dims[i]) {
                    throw b.refuse("has a resizable dataspace (maximum size " + (max == Hdf5File.UNDEFINED ? "unlimited"
                            : String.valueOf(max)) + " beside a size of " + dims[i] + "), which Keras files do not have");
                }
            }
        }
        return new Dataspace(dims, elements);
    }

    /** {@code a * b}, refused when it overflows a long. */
    static long multiply(Block b, long x, long y) {
        try {
            return Math.multiplyExact(x, y);
        } catch (ArithmeticException e) {
            throw b.refuse("declares more than 2^63 values");
        }
    }

    /** The dimensions as "3x3x1x32", or "scalar". */
    String shape() {
        if (dims.length == 0) {
            return elements == 0 ? "null" : "scalar";
        }
        StringBuilder s = new StringBuilder();
        for (long d : dims) {
            s.append(s.length() == 0 ? "" : "x").append(d);
        }
        return s.toString();
    }
}
