package io.tributary.common.config;

import java.io.Serializable;

/** The shape of one example's features: channels, height and width (NCHW without the batch). */
public record InputShape(int channels, int height, int width) implements Serializable {
    public InputShape {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("input shape " + channels + "," + height + "," + width
                    + " must be positive in every dimension");
        }
    }

    /** Parses {@code C,H,W}; {@code null} for text that is not three positive integers. */
    public static InputShape parse(String text) {
        String[] parts = text.trim().split("\\s*,\\s*");
        if (parts.length != 3) return null;
        try {
            int c = Integer.parseInt(parts[0]);
            int h = Integer.parseInt(parts[1]);
            int w = Integer.parseInt(parts[2]);
            return c >= 1 && h >= 1 && w >= 1 && (long) c * h * w <= Integer.MAX_VALUE ? new InputShape(c, h, w) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Values per example. */
    public int size() {
        return channels * height * width;
    }

    @Override
    public String toString() {
        return channels + "," + height + "," + width;
    }
}
