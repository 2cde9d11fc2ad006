package io.tributary.common.model.hdf5;

/**
 * A datatype message (File Format Specification 3.0, IV.A.2.d), limited to the classes h5py writes
 * for a Keras model: integers, IEEE floating point (half, single, double), fixed-length strings and
 * variable-length strings or sequences of numbers. Any other class (compound, array, enum, reference,
 * opaque, time, bitfield) or a non-IEEE float layout is refused.
 *
 * @param typeClass   the HDF5 class: 0 integer, 1 float, 3 string, 9 variable-length
 * @param size        bytes per element as stored in a dataset or attribute (for variable-length
 *                    values, the reference into the global heap)
 * @param description for messages, e.g. "32-bit float"
 * @param base        the element type of a variable-length type, else {@code null}
 * @param text        whether values are strings (fixed-length, or variable-length strings)
 */
public record Datatype(int typeClass, long size, String description, Datatype base, boolean text) {
    static final int INTEGER = 0;
    static final int FLOAT = 1;
    static final int STRING = 3;
    static final int VARIABLE_LENGTH = 9;
    private static final String[] CLASSES = {"integer", "floating point", "time", "string", "bitfield", "opaque",
        "compound", "reference", "enum", "variable-length", "array"};
    /** IEEE half, single and double: size, precision, exponent location, exponent size, mantissa size, bias. */
    private static final long[][] IEEE = {{2, 16, 10, 5, 10, 15}, {4, 32, 23, 8, 23, 127}, {8, 64, 52, 11, 52, 1023}};

    /** Whether this is an IEEE floating-point type, which DL4J's import reads as weights. */
    public boolean isFloat() {
        return typeClass == FLOAT;
    }

    /** Whether values are strings, fixed-length or variable-length. */
    public boolean isString() {
        return text;
    }

    /** Whether values are variable-length, kept in the global heap. */
    boolean isVariableLength() {
        return typeClass == VARIABLE_LENGTH;
    }

    static Datatype read(Block b) {
        return read(b, 0);
    }

    private static Datatype read(Block b, int depth) {
        int classAndVersion = b.u8("datatype class");
        int typeClass = classAndVersion & 0x0f;
        int version = classAndVersion >> 4;
        int bits0 = b.u8("datatype bit field");
        int bits1 = b.u8("datatype bit field");
        b.u8("datatype bit field");
        long size = b.u32("datatype size");
        if (version < 1 || version > 4) {
            throw b.malformed("datatype version " + version + " is not 1 to 4");
        }
        return switch (typeClass) {
            case INTEGER -> integer(b, size);
            case FLOAT -> floating(b, size, bits0, bits1);
            case STRING -> {
                if (size < 1 || (bits0 & 0x0f) > 2 || (bits0 >> 4) > 1) {
                    throw b.malformed("string datatype has size " + size + " or an unknown padding or character set");
                }
                yield new Datatype(STRING, size, size + "-byte string", null, true);
            }
            case VARIABLE_LENGTH -> variableLength(b, bits0, bits1, depth);
            default -> throw b.refuse("has a datatype of class " + (typeClass < CLASSES.length ? CLASSES[typeClass]
                    : String.valueOf(typeClass)) + ", which files written by h5py for Keras do not use");
        };
    }

    private static Datatype integer(Block b, long size) {
        int offset = b.u16("integer bit offset");
        int precision = b.u16("integer precision");
        if ((size != 1 && size != 2 && size != 4 && size != 8) || precision < 1 || offset + precision > 8 * size) {
            throw b.malformed("integer datatype of " + size + " bytes has bit offset " + offset + " and precision "
                    + precision);
        }
        return new Datatype(INTEGER, size, (8 * size) + "-bit integer", null, false);
    }

    private static Datatype floating(Block b, long size, int bits0, int bits1) {
        int offset = b.u16("float bit offset");
        int precision = b.u16("float precision");
        int exponentAt = b.u8("float exponent location");
        int exponentSize = b.u8("float exponent size");
        int mantissaAt = b.u8("float mantissa location");
        int mantissaSize = b.u8("float mantissa size");
        long bias = b.u32("float exponent bias");
        for (long[] ieee : IEEE) {
            if (size == ieee[0] && precision == ieee[1] && exponentAt == ieee[2] && exponentSize == ieee[3]
                    && mantissaSize == ieee[4] && bias == ieee[5] && offset == 0 && mantissaAt == 0
                    && (bits0 & ~0x01) == 0x20 && bits1 == precision - 1) {
                return new Datatype(FLOAT, size, (8 * size) + "-bit float", null, false);
            }
        }
        throw b.refuse("has a floating-point datatype of " + size + " bytes that is not IEEE half, single or double"
                + " precision, which files written by h5py for Keras do not use");
    }

    private static Datatype variableLength(Block b, int bits0, int bits1, int depth) {
        if (depth > 0) {
            throw b.refuse("has a variable-length datatype inside another, which files written by h5py for Keras do"
                    + " not use");
        }
        int kind = bits0 & 0x0f;
        if (kind > 1 || (bits0 >> 4) > 2 || (bits1 & 0x0f) > 1) {
            throw b.malformed("variable-length datatype has an unknown kind, padding or character set");
        }
        Datatype base = read(b, depth + 1);
        if (base.typeClass != INTEGER && base.typeClass != FLOAT && base.typeClass != STRING) {
            throw b.refuse("has a variable-length datatype of " + base.description + ", which files written by h5py"
                    + " for Keras do not use");
        }
        long reference = 4L + b.sizes().offsets() + 4;
        String description = kind == 1 ? "variable-length string" : "variable-length sequence of " + base.description;
        return new Datatype(VARIABLE_LENGTH, reference, description, base, kind == 1);
    }
}
