package io.tributary.common.config;

import java.io.Serializable;

/** An inclusive range of ports, written {@code FIRST-LAST}. */
public record PortRange(int first, int last) implements Serializable {
    public PortRange {
        if (first < 1 || last > 65_535 || first > last) {
            throw new IllegalArgumentException("Invalid port range " + first + "-" + last);
        }
    }

    /** The range {@code text} describes, or {@code null} when it is not {@code FIRST-LAST} with valid ports. */
    public static PortRange parse(String text) {
        String[] parts = text.trim().split("-", -1);
        if (parts.length != 2) return null;
        try {
            int first = Integer.parseInt(parts[0].trim());
            int last = Integer.parseInt(parts[1].trim());
            return first >= 1 && last <= 65_535 && first <= last ? new PortRange(first, last) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    public boolean contains(int port) {
        return port >= first && port <= last;
    }

    @Override
    public String toString() {
        return first + "-" + last;
    }
}
