package io.tributary.job.shared;

import java.util.Collection;

/** IPv4 network arithmetic for choosing the mesh's network mask. */
final class Networks {
    /** DL4J's network organizer only honours masks with a zero last octet, i.e. prefixes up to /24. */
    static final int LONGEST_PREFIX = 24;

    private Networks() {
    }

    /** The narrowest network, at most /24, containing every address. */
    static String covering(Collection<String> addresses) {
        if (addresses.isEmpty()) throw new IllegalArgumentException("no addresses");
        int[] parsed = addresses.stream().mapToInt(Networks::parse).toArray();
        int prefix = LONGEST_PREFIX;
        for (int a : parsed) {
            int common = Integer.numberOfLeadingZeros(a ^ parsed[0]);
            prefix = Math.min(prefix, common);
        }
        prefix = Math.max(prefix, 8);
        int network = prefix == 32 ? parsed[0] : parsed[0] & (-1 << (32 - prefix));
        return format(network) + "/" + prefix;
    }

    static int parse(String address) {
        String[] octets = address.split("\\.");
        if (octets.length != 4) throw new IllegalArgumentException("Not an IPv4 address: " + address);
        int value = 0;
        for (String o : octets) {
            value = (value << 8) | Integer.parseInt(o);
        }
        return value;
    }

    private static String format(int a) {
        return ((a >>> 24) & 255) + "." + ((a >>> 16) & 255) + "." + ((a >>> 8) & 255) + "." + (a & 255);
    }
}
