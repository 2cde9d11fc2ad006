package io.tributary.job.read;

/**
 * Resizes image rows to {@code H x W} with a bilinear (triangle) filter that is widened by the
 * reduction factor when shrinking, so every source pixel counts (antialiasing); the same weights as
 * Pillow's {@code resize(..., BILINEAR)}. Enlarging is plain bilinear interpolation between pixel
 * centres; a size kept is copied exactly. The aspect ratio is not kept: images are stretched.
 * <p>
 * It is separable and reads the source one row at a time; the one intermediate buffer is the
 * smaller of {@code C x srcH x W} (columns first) and {@code C x H x srcW} (rows first), so an
 * image of extreme proportions cannot make it large.
 */
final class Resampler {
    /** For each output position along one axis, the source positions it reads and their weights. */
    private record Weights(int[] start, int[] count, float[] weight, int taps) {
        static Weights of(int in, int out) {
            double scale = (double) in / out;
            double filterScale = Math.max(scale, 1.0);
            double support = filterScale;
            int taps = (int) Math.ceil(2 * support) + 1;
            int[] start = new int[out];
            int[] count = new int[out];
            float[] weight = new float[out * taps];
            double[] k = new double[taps];
            for (int o = 0; o < out; o++) {
                double center = (o + 0.5) * scale;
                int lo = Math.max((int) (center - support + 0.5), 0);
                int hi = Math.min((int) (center + support + 0.5), in);
                double sum = 0;
                for (int i = lo; i < hi; i++) {
                    k[i - lo] = Math.max(0, 1 - Math.abs((i - center + 0.5) / filterScale));
                    sum += k[i - lo];
                }
                start[o] = lo;
                count[o] = hi - lo;
                for (int i = 0; i < hi - lo; i++) weight[o * taps + i] = (float) (k[i] / sum);
            }
            return new Weights(start, count, weight, taps);
        }

        float at(int o, int i) {
            return weight[o * taps + i];
        }
    }

    private Resampler() {
    }

    /**
     * The image resized to {@code height x width}, channel-major ({@code C}, then rows, then
     * columns), each value rounded to the nearest of 0..255.
     */
    static byte[] resize(ImagePixels src, int channels, int height, int width) {
        int srcW = src.width();
        int srcH = src.height();
        byte[] out = new byte[channels * height * width];
        float[] row = new float[channels * srcW];
        if (srcW == width && srcH == height) {
            for (int y = 0; y < srcH; y++) {
                src.row(y, row);
                for (int c = 0; c < channels; c++) {
                    for (int x = 0; x < width; x++) out[(c * height + y) * width + x] = toByte(row[c * srcW + x]);
                }
            }
            return out;
        }
        Weights across = Weights.of(srcW, width);
        Weights down = Weights.of(srcH, height);
        if ((long) srcH * width <= (long) height * srcW) {
            columnsFirst(src, channels, height, width, across, down, row, out);
        } else {
            rowsFirst(src, channels, height, width, across, down, row, out);
        }
        return out;
    }

    /** Each source row shrunk or stretched to {@code width}, then the columns to {@code height}. */
    private static void columnsFirst(ImagePixels src, int channels, int height, int width, Weights across,
                                     Weights down, float[] row, byte[] out) {
        int srcW = src.width();
        int srcH = src.height();
        float[] tmp = new float[channels * srcH * width];
        for (int y = 0; y < srcH; y++) {
            src.row(y, row);
            for (int c = 0; c < channels; c++) {
                int base = c * srcW;
                for (int x = 0; x < width; x++) {
                    float v = 0;
                    for (int i = 0, s = across.start[x]; i < across.count[x]; i++) v += across.at(x, i) * row[base + s + i];
                    tmp[(c * srcH + y) * width + x] = v;
                }
            }
        }
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    float v = 0;
                    for (int i = 0, s = down.start[y]; i < down.count[y]; i++) {
                        v += down.at(y, i) * tmp[(c * srcH + s + i) * width + x];
                    }
                    out[(c * height + y) * width + x] = toByte(v);
                }
            }
        }
    }

    /** Each source row added into the output rows that read it, then those rows brought to {@code width}. */
    private static void rowsFirst(ImagePixels src, int channels, int height, int width, Weights across,
                                  Weights down, float[] row, byte[] out) {
        int srcW = src.width();
        int srcH = src.height();
        float[] tmp = new float[channels * height * srcW];
        int first = 0;
        for (int y = 0; y < srcH; y++) {
            src.row(y, row);
            // Output rows read contiguous, non-decreasing ranges of source rows.
            while (first < height && down.start[first] + down.count[first] <= y) first++;
            for (int o = first; o < height && down.start[o] <= y; o++) {
                float w = down.at(o, y - down.start[o]);
                if (w == 0) continue;
                for (int c = 0; c < channels; c++) {
                    int from = c * srcW;
                    int to = (c * height + o) * srcW;
                    for (int x = 0; x < srcW; x++) tmp[to + x] += w * row[from + x];
                }
            }
        }
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < height; y++) {
                int base = (c * height + y) * srcW;
                for (int x = 0; x < width; x++) {
                    float v = 0;
                    for (int i = 0, s = across.start[x]; i < across.count[x]; i++) v += across.at(x, i) * tmp[base + s + i];
                    out[(c * height + y) * width + x] = toByte(v);
                }
            }
        }
    }

    private static byte toByte(float v) {
        return (byte) Math.max(0, Math.min(255, Math.round(v)));
    }
}
