package io.tributary.common.model;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Seeded mutations of a valid Keras HDF5 file for the fuzz test: truncations, bit flips, size, count
 * and address fields set to 0, -1, 2^31 or 2^32+k, parts removed, duplicated or copied over others.
 * Half of the positions are near HDF5 structures (the superblock, B-tree and symbol table nodes,
 * heaps, object headers), where a changed byte changes what a reader does rather than a weight's value;
 * the field mutations pick aligned 4- and 8-byte words holding small numbers (1 to 2^20), which in
 * HDF5's structures are sizes, counts, dimensions and addresses.
 */
public final class KerasMutations {
    private static final String[] SIGNATURES = {"TREE", "SNOD", "HEAP", "GCOL", "OHDR", "OCHK"};
    private static final long[] VALUES = {0, -1, 1L << 31, (1L << 32), (1L << 31) - 1, Long.MAX_VALUE};

    /** A mutated file and what was done to it, for the report of a failure. */
    public record Mutation(String description, byte[] bytes) {
    }

    private final byte[] original;
    private final int[] anchors;
    /** Positions of aligned words holding 1 to 2^20: {width, position} pairs. */
    private final List<int[]> fields;

    public KerasMutations(byte[] original) {
        this.original = original;
        this.anchors = anchors(original);
        this.fields = fields(original);
    }

    /** The mutation that {@code random} chooses. */
    public Mutation mutate(Random random) {
        return mutate(original, random, 0);
    }

    private Mutation mutate(byte[] b, Random r, int depth) {
        return switch (r.nextInt(depth == 0 ? 8 : 7)) {
            case 0 -> {
                int n = r.nextInt(b.length);
                yield new Mutation("truncated to " + n + " bytes", Arrays.copyOf(b, n));
            }
            case 1 -> flip(b, r);
            case 2 -> {
                int width = new int[] {1, 2, 4, 8}[r.nextInt(4)];
                int p = Math.min(position(b, r) / width * width, b.length - width);
                yield set(b, width, p, r);
            }
            case 3 -> remove(b, r);
            case 4 -> insert(b, r);
            case 5 -> {
                int from = position(b, r);
                int to = position(b, r);
                int n = Math.min(1 + r.nextInt(256), Math.min(b.length - from, b.length - to));
                byte[] m = b.clone();
                System.arraycopy(b, from, m, to, n);
                yield new Mutation(n + " bytes from " + from + " copied over " + to, m);
            }
            case 6 -> {
                int[] field = fields.get(r.nextInt(fields.size()));
                yield field[1] + field[0] > b.length ? new Mutation("unchanged", b.clone()) : set(b, field[0], field[1], r);
            }
            default -> {
                Mutation first = mutate(b, r, depth + 1);
                if (first.bytes().length == 0) {
                    yield first;
                }
                Mutation second = mutate(first.bytes(), r, depth + 1);
                yield new Mutation(first.description() + ", then " + second.description(), second.bytes());
            }
        };
    }

    private Mutation flip(byte[] b, Random r) {
        byte[] m = b.clone();
        List<String> at = new ArrayList<>();
        for (int k = 1 + r.nextInt(4); k > 0; k--) {
            int p = position(m, r);
            int bit = r.nextInt(8);
            m[p] ^= (byte) (1 << bit);
            at.add(p + "." + bit);
        }
        return new Mutation("bits flipped at " + at, m);
    }

    /** The {@code width} bytes at {@code p} set to 0, -1, 2^31 - 1, 2^31, 2^32 + k or 2^63 - 1. */
    private static Mutation set(byte[] b, int width, int p, Random r) {
        long value = VALUES[r.nextInt(VALUES.length)];
        if (value == 1L << 32) {
            value += r.nextInt(256);
        }
        byte[] m = b.clone();
        for (int i = 0; i < width; i++) {
            m[p + i] = (byte) (value >>> (8 * i));
        }
        return new Mutation(width + " bytes at " + p + " set to " + value, m);
    }

    private Mutation remove(byte[] b, Random r) {
        int p = position(b, r);
        int n = Math.min(1 + r.nextInt(256), b.length - p);
        byte[] m = new byte[b.length - n];
        System.arraycopy(b, 0, m, 0, p);
        System.arraycopy(b, p + n, m, p, b.length - p - n);
        return new Mutation(n + " bytes at " + p + " removed", m);
    }

    private Mutation insert(byte[] b, Random r) {
        int from = position(b, r);
        int n = Math.min(1 + r.nextInt(256), b.length - from);
        int to = position(b, r);
        byte[] m = new byte[b.length + n];
        System.arraycopy(b, 0, m, 0, to);
        System.arraycopy(b, from, m, to, n);
        System.arraycopy(b, to, m, to + n, b.length - to);
        return new Mutation(n + " bytes from " + from + " inserted at " + to, m);
    }

    /** A position in {@code b}: half the time within 96 bytes after a structure's start. */
    private int position(byte[] b, Random r) {
        if (r.nextBoolean() && anchors.length > 0) {
            return Math.min(anchors[r.nextInt(anchors.length)] + r.nextInt(96), b.length - 1);
        }
        return r.nextInt(b.length);
    }

    /** Aligned 8-byte and 4-byte little-endian words whose value is 1 to 2^20. */
    private static List<int[]> fields(byte[] b) {
        List<int[]> at = new ArrayList<>();
        for (int width : new int[] {8, 4}) {
            for (int p = 0; p + width <= b.length; p += width) {
                long v = 0;
                for (int i = width - 1; i >= 0; i--) {
                    v = (v << 8) | (b[p + i] & 0xffL);
                }
                if (v >= 1 && v <= 1 << 20) {
                    at.add(new int[] {width, p});
                }
            }
        }
        return at;
    }

    /** Where structures start: the superblock (0) and each signature of a B-tree node, heap or header. */
    private static int[] anchors(byte[] b) {
        List<Integer> at = new ArrayList<>(List.of(0));
        for (String s : SIGNATURES) {
            byte[] sig = s.getBytes(StandardCharsets.US_ASCII);
            outer:
            for (int i = 0; i + sig.length <= b.length; i++) {
                for (int j = 0; j < sig.length; j++) {
                    if (b[i + j] != sig[j]) continue outer;
                }
                at.add(i);
            }
        }
        return at.stream().mapToInt(Integer::intValue).toArray();
    }
}
