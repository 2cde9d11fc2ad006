package io.tributary.tests;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;

/** Image folders for tests, written with ImageIO: small images whose pixels the tests know. */
public final class ImageFolders {
    private ImageFolders() {
    }

    /** A gray image whose pixel (x, y) is {@code (x + 16 y) mod 256}: every value differs on 16x16. */
    public static BufferedImage grayRamp(int size) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) img.getRaster().setSample(x, y, 0, (x + 16 * y) & 0xff);
        }
        return img;
    }

    /** A gray image black on its left half and white (255) on its right half. */
    public static BufferedImage grayHalves(int size) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < size; y++) {
            for (int x = size / 2; x < size; x++) img.getRaster().setSample(x, y, 0, 255);
        }
        return img;
    }

    /** An RGB image with red {@code 16x+5}, green {@code 16y+3} and blue 77 at (x, y). */
    public static BufferedImage rgbRamp(int size) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) img.setRGB(x, y, rgb((16 * x + 5) & 0xff, (16 * y + 3) & 0xff, 77));
        }
        return img;
    }

    /** An RGB image in quadrants: red top left, green top right, blue bottom left, gray 100 bottom right. */
    public static BufferedImage quadrants(int size) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        int h = size / 2;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                img.setRGB(x, y, y < h ? (x < h ? rgb(255, 0, 0) : rgb(0, 255, 0)) : (x < h ? rgb(0, 0, 255) : rgb(100, 100, 100)));
            }
        }
        return img;
    }

    /** One colour everywhere, with the given alpha; opaque (255) images have no alpha channel (JPEG has none). */
    public static BufferedImage solid(int size, int r, int g, int b, int alpha) {
        BufferedImage img = new BufferedImage(size, size, alpha == 255 ? BufferedImage.TYPE_INT_RGB : BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) img.setRGB(x, y, (alpha << 24) | rgb(r, g, b));
        }
        return img;
    }

    /** Writes {@code img} as {@code format} ("png", "jpeg", "gif", "bmp") to {@code file}, creating its folders. */
    public static Path write(BufferedImage img, String format, Path file) {
        try {
            Files.createDirectories(file.getParent());
            if (!ImageIO.write(img, format, file.toFile())) throw new IOException("no ImageIO writer for " + format);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A learnable image folder: {@code classes} class folders {@code class0, class1, ...} of
     * {@code perClass} RGB images of {@code size x size}, each a noisy dark background with one bright
     * horizontal band whose row is the class; every other image is a JPEG, the rest PNG.
     */
    public static Path learnable(Path dir, int classes, int perClass, int size, long seed) {
        Random rng = new Random(seed);
        int band = Math.max(1, size / classes);
        for (int c = 0; c < classes; c++) {
            for (int i = 0; i < perClass; i++) {
                BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        boolean bright = y / band == c;
                        int v = bright ? 200 + rng.nextInt(56) : rng.nextInt(60);
                        img.setRGB(x, y, rgb(v, v, bright ? v : rng.nextInt(60)));
                    }
                }
                boolean jpeg = i % 2 == 1;
                write(img, jpeg ? "jpeg" : "png", dir.resolve("class" + c).resolve("img" + i + (jpeg ? ".jpg" : ".png")));
            }
        }
        return dir;
    }

    private static int rgb(int r, int g, int b) {
        return (r << 16) | (g << 8) | b;
    }
}
