package io.tributary.job.read;

import io.tributary.common.InputException;
import io.tributary.common.config.TrainKeys;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * The lines of a text file, each refused as soon as it grows past {@code max-line-bytes}: a line is
 * never held beyond the limit, however long the file says it is (2.2 MB of gzip can hold one line of
 * 2.2 GB). Lines end at {@code \n}, {@code \r\n} or {@code \r}, as Hadoop's line reader has them;
 * the end is not part of the line.
 */
final class BoundedLines implements Closeable {
    private static final int CHUNK = 64 << 10;

    private final InputStream in;
    private final String file;
    private final int maxBytes;
    private final byte[] chunk = new byte[CHUNK];
    private int chunkEnd;
    private int chunkPos;
    private byte[] line = new byte[256];
    private int length;
    private long number;
    private boolean skipNewline;

    /** @param file the file's name for messages */
    BoundedLines(InputStream in, String file, int maxBytes) {
        this.in = in;
        this.file = file;
        this.maxBytes = maxBytes;
    }

    /**
     * Reads the next line into {@link #bytes()} / {@link #length()}.
     *
     * @return false at the end of the file
     * @throws InputException when the line is longer than the limit
     */
    boolean next() throws IOException {
        length = 0;
        boolean any = false;
        while (true) {
            if (chunkPos == chunkEnd) {
                chunkEnd = in.read(chunk, 0, CHUNK);
                chunkPos = 0;
                if (chunkEnd <= 0) {
                    chunkEnd = 0;
                    if (!any) return false;
                    number++;
                    return true;
                }
            }
            byte b = chunk[chunkPos++];
            if (skipNewline) {
                skipNewline = false;
                if (b == '\n') continue;
            }
            any = true;
            if (b == '\n' || b == '\r') {
                skipNewline = b == '\r';
                number++;
                return true;
            }
            append(b);
        }
    }

    private void append(byte b) {
        if (length == maxBytes) {
            throw new InputException(String.format(Locale.ROOT, "CSV file %s: line %d is longer than %s %d bytes;"
                    + " a CSV record is one line (raise %s for longer lines)", file, number + 1,
                    TrainKeys.MAX_LINE_BYTES.name(), maxBytes, TrainKeys.MAX_LINE_BYTES.name()));
        }
        if (length == line.length) line = Arrays.copyOf(line, (int) Math.min((long) line.length * 2, maxBytes));
        line[length++] = b;
    }

    /** The current line's bytes, {@link #length()} of them. */
    byte[] bytes() {
        return line;
    }

    int length() {
        return length;
    }

    /** The current line's number, from 1. */
    long number() {
        return number;
    }

    /** The current line as text. */
    String text() {
        return new String(line, 0, length, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
