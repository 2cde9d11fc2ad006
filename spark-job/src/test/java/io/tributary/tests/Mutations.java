package io.tributary.tests;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Seeded mutations of a valid file, the kinds a fuzzer of file readers tries: truncations, bit
 * flips, size and count fields set to 0, -1, 2^31, 2^32 + k, duplicated and missing parts; for text,
 * numbers replaced by such values, lines dropped or repeated, and stray bytes. Each mutation is a
 * pure function of the seed, so a failure reproduces from the seed printed with it.
 */
final class Mutations {
    /** Values a size, count or offset field is set to. */
    static final long[] SIZES = {0, -1, 1, 255, 65_535, Integer.MAX_VALUE, 1L << 31, (1L << 32) + 128,
            (1L << 32) - 1, Long.MAX_VALUE, 1_600_000_000L};
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?([eE][+-]?\\d+)?");
    private static final String[] NUMBER_TEXT = {"0", "-1", "2147483648", "4294967424", "1e308", "NaN", "-0",
            "99999999999999999999", "1.6e9", ""};

    /** A mutated copy and what was done, for the report. */
    record Mutant(byte[] bytes, String what) {
    }

    private Mutations() {
    }

    /**
     * A mutation of a binary file; {@code fields} are offsets of its header's size and count fields,
     * which are hit more often than chance would, in {@code order}.
     */
    static Mutant binary(byte[] valid, Random rng, ByteOrder order, int... fields) {
        byte[] b = valid.clone();
        switch (rng.nextInt(7)) {
            case 0 -> {
                int at = rng.nextInt(Math.max(1, b.length));
                return new Mutant(Arrays.copyOf(b, at), "truncated to " + at + " bytes");
            }
            case 1 -> {
                int n = 1 + rng.nextInt(8);
                StringBuilder where = new StringBuilder();
                for (int i = 0; i < n; i++) {
                    int at = rng.nextInt(b.length);
                    b[at] ^= (byte) (1 << rng.nextInt(8));
                    where.append(i == 0 ? "" : ",").append(at);
                }
                return new Mutant(b, n + " bits flipped at " + where);
            }
            case 2, 3 -> {
                boolean known = fields.length > 0 && rng.nextInt(3) > 0;
                int at = known ? fields[rng.nextInt(fields.length)] : rng.nextInt(Math.max(1, b.length - 8));
                long value = SIZES[rng.nextInt(SIZES.length)];
                int width = rng.nextBoolean() ? 4 : 8;
                if (at + width > b.length) width = 4;
                if (at + width > b.length) return new Mutant(b, "unchanged (too short)");
                ByteBuffer buf = ByteBuffer.wrap(b).order(order);
                if (width == 4) buf.putInt(at, (int) value); else buf.putLong(at, value);
                return new Mutant(b, width + "-byte field at " + at + " set to " + value);
            }
            case 4 -> {
                int from = rng.nextInt(b.length);
                int len = 1 + rng.nextInt(Math.min(4096, b.length - from));
                byte[] out = new byte[b.length + len];
                System.arraycopy(b, 0, out, 0, from + len);
                System.arraycopy(b, from, out, from + len, b.length - from);
                return new Mutant(out, len + " bytes at " + from + " duplicated");
            }
            case 5 -> {
                int from = rng.nextInt(b.length);
                int len = 1 + rng.nextInt(Math.min(4096, b.length - from));
                byte[] out = new byte[b.length - len];
                System.arraycopy(b, 0, out, 0, from);
                System.arraycopy(b, from + len, out, from, b.length - from - len);
                return new Mutant(out, len + " bytes at " + from + " removed");
            }
            default -> {
                int n = 1 + rng.nextInt(32);
                int at = rng.nextInt(b.length);
                for (int i = 0; i < n && at + i < b.length; i++) b[at + i] = (byte) rng.nextInt(256);
                return new Mutant(b, n + " random bytes at " + at);
            }
        }
    }

    /** A mutation of a text file (CSV, JSON): numbers, lines, quotes and stray bytes; sometimes a binary one. */
    static Mutant text(byte[] valid, Random rng) {
        String s = new String(valid, StandardCharsets.UTF_8);
        List<String> lines = List.of(s.split("\n", -1));
        switch (rng.nextInt(6)) {
            case 0, 1 -> {
                Matcher m = NUMBER.matcher(s);
                int count = 0;
                while (m.find()) count++;
                if (count == 0) return binary(valid, rng, ByteOrder.BIG_ENDIAN);
                int pick = rng.nextInt(count);
                m.reset();
                for (int i = 0; i <= pick; i++) m.find();
                String value = NUMBER_TEXT[rng.nextInt(NUMBER_TEXT.length)];
                String out = s.substring(0, m.start()) + value + s.substring(m.end());
                return new Mutant(out.getBytes(StandardCharsets.UTF_8), "number " + m.group() + " at " + m.start()
                        + " set to \"" + value + "\"");
            }
            case 2 -> {
                int line = rng.nextInt(lines.size());
                ArrayList<String> out = new ArrayList<>(lines);
                boolean drop = rng.nextBoolean();
                if (drop) out.remove(line); else out.add(line, lines.get(line));
                return new Mutant(String.join("\n", out).getBytes(StandardCharsets.UTF_8),
                        "line " + (line + 1) + (drop ? " removed" : " repeated"));
            }
            case 3 -> {
                String[] stray = {"\"", ",", "\u0000", "\r", "{", "}", "[", "]", ":", "\\", "\uFEFF", "\"\"\""};
                String ins = stray[rng.nextInt(stray.length)];
                int at = rng.nextInt(s.length() + 1);
                return new Mutant((s.substring(0, at) + ins + s.substring(at)).getBytes(StandardCharsets.UTF_8),
                        "\"" + ins.replace("\u0000", "\\0") + "\" inserted at " + at);
            }
            default -> {
                return binary(valid, rng, ByteOrder.BIG_ENDIAN);
            }
        }
    }
}
