package io.tributary.job.read;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * The rows of a decoded image as 8-bit channel values (0 to 255, as floats) in the channels of the
 * input shape:
 * <ul>
 *   <li>samples of any bit depth are scaled to 8 bits ({@code v * 255 / (2^bits - 1)}: 16-bit PNGs,
 *       5-6-5 BMPs);</li>
 *   <li>palettes (GIF, 8-bit BMP and PNG) give their entries' colours;</li>
 *   <li>alpha is composited over black (each colour times {@code alpha / 255}), so fully transparent
 *       pixels are black;</li>
 *   <li>1 channel: a gray image's own values; a colour image's luminance
 *       {@code 0.299 R + 0.587 G + 0.114 B} (ITU-R BT.601, as Pillow's {@code convert("L")});</li>
 *   <li>3 channels: red, green, blue; a gray value is repeated in all three.</li>
 * </ul>
 * Gray and sRGB images are read from their samples as stored, without colour management (Java
 * treats gray as linear and would change the values of every gray PNG). Any other colour space (a
 * JPEG's embedded ICC profile, a CMYK JPEG) is converted to sRGB by Java2D.
 */
final class ImagePixels {
    private enum Layout { GRAY, RGB, CONVERTED }

    private final BufferedImage image;
    private final Raster raster;
    private final Layout layout;
    private final int width;
    private final int channels;
    private final boolean alpha;
    /** Multiplier that brings each band's samples to 0..255. */
    private final float[] toByteScale;
    private final int[] samples;

    /** @param channels the channels of the rows: 1 or 3 */
    ImagePixels(BufferedImage image, int channels) {
        if (channels != 1 && channels != 3) throw new IllegalArgumentException("channels must be 1 or 3, not " + channels);
        this.image = image;
        this.raster = image.getRaster();
        this.width = image.getWidth();
        this.channels = channels;
        ColorModel cm = image.getColorModel();
        int transfer = cm.getTransferType();
        boolean plainSamples = !(cm instanceof IndexColorModel) && !cm.isAlphaPremultiplied()
                && (transfer == DataBuffer.TYPE_BYTE || transfer == DataBuffer.TYPE_USHORT || transfer == DataBuffer.TYPE_INT)
                && raster.getNumBands() == cm.getNumComponents();
        ColorSpace cs = cm.getColorSpace();
        if (plainSamples && cs.getType() == ColorSpace.TYPE_GRAY && cm.getNumColorComponents() == 1) {
            layout = Layout.GRAY;
        } else if (plainSamples && cs.isCS_sRGB() && cm.getNumColorComponents() == 3) {
            layout = Layout.RGB;
        } else {
            layout = Layout.CONVERTED;
        }
        if (layout == Layout.CONVERTED) {
            alpha = cm.hasAlpha();
            toByteScale = null;
            samples = new int[width];
        } else {
            alpha = cm.hasAlpha();
            toByteScale = new float[cm.getNumComponents()];
            for (int b = 0; b < toByteScale.length; b++) {
                toByteScale[b] = 255f / ((1L << cm.getComponentSize(b)) - 1);
            }
            samples = new int[width * raster.getNumBands()];
        }
    }

    int width() {
        return width;
    }

    int height() {
        return image.getHeight();
    }

    /** Row {@code y} into {@code out}: channel {@code c}, column {@code x} at {@code c * width + x}. */
    void row(int y, float[] out) {
        switch (layout) {
            case GRAY -> grayRow(y, out);
            case RGB -> rgbRow(y, out);
            default -> convertedRow(y, out);
        }
    }

    private void grayRow(int y, float[] out) {
        raster.getPixels(0, y, width, 1, samples);
        int bands = alpha ? 2 : 1;
        for (int x = 0; x < width; x++) {
            float v = samples[x * bands] * toByteScale[0];
            if (alpha) v *= samples[x * bands + 1] * toByteScale[1] / 255f;
            put(out, x, v, v, v, true);
        }
    }

    private void rgbRow(int y, float[] out) {
        raster.getPixels(0, y, width, 1, samples);
        int bands = alpha ? 4 : 3;
        for (int x = 0; x < width; x++) {
            int i = x * bands;
            float r = samples[i] * toByteScale[0];
            float g = samples[i + 1] * toByteScale[1];
            float b = samples[i + 2] * toByteScale[2];
            if (alpha) {
                float a = samples[i + 3] * toByteScale[3] / 255f;
                r *= a;
                g *= a;
                b *= a;
            }
            put(out, x, r, g, b, false);
        }
    }

    private void convertedRow(int y, float[] out) {
        // getRGB gives non-premultiplied 8-bit sRGB for any colour model (palettes, ICC profiles).
        image.getRGB(0, y, width, 1, samples, 0, width);
        for (int x = 0; x < width; x++) {
            int argb = samples[x];
            float a = alpha ? (argb >>> 24) / 255f : 1f;
            put(out, x, ((argb >> 16) & 0xff) * a, ((argb >> 8) & 0xff) * a, (argb & 0xff) * a, false);
        }
    }

    private void put(float[] out, int x, float r, float g, float b, boolean gray) {
        if (channels == 1) {
            out[x] = gray ? r : 0.299f * r + 0.587f * g + 0.114f * b;
        } else {
            out[x] = r;
            out[width + x] = g;
            out[2 * width + x] = b;
        }
    }
}
