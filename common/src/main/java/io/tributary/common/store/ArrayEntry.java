package io.tributary.common.store;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Arrays;
import java.util.Set;

/**
 * One array entry in ND4J's binary format ({@code Nd4j.write}: a shape-information buffer, then the
 * data buffer, each a header of allocation mode, length and data type followed by the values).
 * The headers are parsed and checked here before {@code Nd4j.read} sees the stream, because ND4J
 * allocates whatever length a header declares and builds the array from whatever shape it
 * declares: a vector of one or two dimensions whose shape covers exactly the declared values,
 * of a floating-point type, of the length the configuration implies, followed by exactly those
 * values and nothing else.
 */
final class ArrayEntry {
    /** Far more than two headers take (about 150 bytes): parsed from this prefix, then replayed. */
    private static final int HEADER_PREFIX = 1024;
    private static final Set<DataType> VALUE_TYPES = Set.of(DataType.FLOAT, DataType.DOUBLE, DataType.HALF,
            DataType.BFLOAT16);
    private static final long ORDER_C = 'c';
    private static final long ORDER_F = 'f';

    /** The checked headers: the values' type and number, and how many bytes the headers took. */
    private record Header(DataType type, long length, int bytes) {
    }

    private ArrayEntry() {
    }

    /**
     * Reads the array in {@code in} (to its end).
     *
     * @param length the number of values it must hold
     * @param type   the type it must have; null: any floating-point type
     */
    static INDArray read(String source, String entry, InputStream in, long length, DataType type) throws IOException {
        byte[] prefix = in.readNBytes(HEADER_PREFIX);
        Header header = header(source, entry, prefix, length, type);
        InputStream all = new SequenceInputStream(new ByteArrayInputStream(prefix),
                ModelZipReader.unclosable(in));   // SequenceInputStream closes each stream it exhausts
        INDArray array;
        try {
            array = Nd4j.read(new DataInputStream(all));
        } catch (RuntimeException e) {
            throw ModelZipReader.refuse(source, entry, "cannot be read as the " + header.length() + " values of "
                    + header.type() + " its header declares (" + e.getMessage() + ")");
        }
        if (array.length() != header.length() || array.dataType() != header.type()) {
            throw ModelZipReader.refuse(source, entry, "was read as " + array.length() + " values of "
                    + array.dataType() + " but its header declares " + header.length() + " of " + header.type());
        }
        if (drain(all, 0) > 0) {
            throw ModelZipReader.refuse(source, entry, "has bytes after its array; an array entry holds one array"
                    + " and nothing else");
        }
        return array;
    }

    /**
     * Checks the array in {@code in} (to its end) by its headers and size, allocating nothing.
     *
     * @param length the number of values it must hold; negative: any number within the bound
     */
    static void check(String source, String entry, InputStream in, long length) throws IOException {
        byte[] prefix = in.readNBytes(HEADER_PREFIX);
        Header header = header(source, entry, prefix, length, null);
        long expected = header.length() * header.type().width();
        long inPrefix = prefix.length - header.bytes();
        long actual = inPrefix + drain(in, expected - inPrefix);
        if (actual != expected) {
            throw ModelZipReader.refuse(source, entry, "holds " + (actual > expected ? "more than " : "") + actual
                    + " bytes of values but its header declares " + header.length() + " values of " + header.type()
                    + " (" + expected + " bytes)");
        }
    }

    /**
     * Reads and discards up to {@code limit + 1} bytes (at least the end of the entry or one byte
     * past the limit), so that an oversized entry is not inflated to its end.
     */
    private static long drain(InputStream in, long limit) throws IOException {
        byte[] buffer = new byte[8192];
        long total = 0;
        for (int n; total <= limit
                && (n = in.read(buffer, 0, (int) Math.min(buffer.length, limit + 1 - total))) > 0; ) {
            total += n;
        }
        return total;
    }

    private static Header header(String source, String entry, byte[] prefix, long length, DataType type) {
        ByteArrayInputStream bytes = new ByteArrayInputStream(prefix);
        DataInputStream in = new DataInputStream(bytes);
        try {
            long[] shapeInfo = shapeInfo(source, entry, in);
            long count = bufferLength(source, entry, in);
            DataType valueType = dataType(source, entry, in);
            if (!VALUE_TYPES.contains(valueType) || (type != null && valueType != type)) {
                throw ModelZipReader.refuse(source, entry, "holds values of type " + valueType + "; it must hold "
                        + (type != null ? type : "floating-point values (" + VALUE_TYPES + ")"));
            }
            if (count < 0 || count > ModelZipReader.MAX_ARRAY_BYTES / valueType.width()) {
                throw ModelZipReader.refuse(source, entry, "declares " + count + " values of " + valueType
                        + ", beyond the bound of " + ModelZipReader.MAX_ARRAY_BYTES + " bytes for an array");
            }
            if (length >= 0 && count != length) {
                throw ModelZipReader.refuse(source, entry, "declares " + count + " values but the configuration needs "
                        + length);
            }
            checkShape(source, entry, shapeInfo, count);
            return new Header(valueType, count, prefix.length - bytes.available());
        } catch (EOFException e) {
            throw ModelZipReader.refuse(source, entry, "ends inside its array header");
        } catch (IOException e) {
            throw ModelZipReader.refuse(source, entry, "has an unreadable array header (" + e.getMessage() + ")");
        }
    }

    /** The shape-information buffer: [rank, shape..., strides..., extras, element stride, order]. */
    private static long[] shapeInfo(String source, String entry, DataInputStream in) throws IOException {
        long length = bufferLength(source, entry, in);
        DataType type = dataType(source, entry, in);
        if (type != DataType.LONG && type != DataType.INT) {
            throw ModelZipReader.refuse(source, entry, "has shape information of type " + type + "; it must be LONG");
        }
        if (length != 6 && length != 8) {
            throw ModelZipReader.refuse(source, entry, "has shape information of " + length + " values; an array"
                    + " entry holds a vector (rank 1 or 2, 6 or 8 values)");
        }
        long[] info = new long[(int) length];
        for (int i = 0; i < info.length; i++) {
            info[i] = type == DataType.LONG ? in.readLong() : in.readInt();
        }
        return info;
    }

    /** The shape must cover exactly {@code count} values, contiguously, in 'c' or 'f' order. */
    private static void checkShape(String source, String entry, long[] info, long count) {
        int rank = (info.length - 4) / 2;
        long[] shape = Arrays.copyOfRange(info, 1, 1 + rank);
        long[] stride = Arrays.copyOfRange(info, 1 + rank, 1 + 2 * rank);
        long order = info[info.length - 1];
        boolean ok = info[0] == rank && (order == ORDER_C || order == ORDER_F);
        long product = 1;
        for (long d : shape) {
            try {
                product = d < 0 ? -1 : Math.multiplyExact(product, d);
            } catch (ArithmeticException overflow) {
                product = -1;
            }
            ok &= product >= 0;
        }
        ok &= product == count;
        long expectedStride = 1;
        for (int k = 0; ok && k < rank; k++) {
            int i = order == ORDER_C ? rank - 1 - k : k;
            if (shape[i] > 1 && stride[i] != expectedStride) {
                ok = false;
            }
            expectedStride *= Math.max(1, shape[i]);
        }
        if (!ok) {
            throw ModelZipReader.refuse(source, entry, "has shape information " + Arrays.toString(info) + " that does"
                    + " not describe a contiguous vector of its " + count + " values");
        }
    }

    /** A buffer header's allocation mode, then its length (an int for the three oldest modes, else a long). */
    private static long bufferLength(String source, String entry, DataInputStream in) throws IOException {
        String name = in.readUTF();
        DataBuffer.AllocationMode mode = Arrays.stream(DataBuffer.AllocationMode.values())
                .filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow(() -> ModelZipReader.refuse(source, entry, "has an unknown buffer allocation mode \""
                        + name + "\""));
        return mode.ordinal() < DataBuffer.AllocationMode.LONG_SHAPE.ordinal() ? in.readInt() : in.readLong();
    }

    private static DataType dataType(String source, String entry, DataInputStream in) throws IOException {
        String name = in.readUTF();
        return Arrays.stream(DataType.values()).filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> ModelZipReader.refuse(source, entry, "has an unknown data type \"" + name + "\""));
    }
}
