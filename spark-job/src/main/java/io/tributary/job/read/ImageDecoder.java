package io.tributary.job.read;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;

/**
 * Decodes one JPEG, PNG, GIF or BMP file with the JDK's ImageIO. The format is recognised from the
 * content, not the name; a GIF's first frame is read. Images larger than {@link #MAX_PIXELS} are
 * refused from their header, before any pixel is decoded.
 */
final class ImageDecoder {
    /**
     * The most pixels an image may have: Pillow's decompression-bomb limit, so every image a Pillow
     * (PyTorch, Keras) pipeline reads is read here too, while a few bytes of a crafted header cannot
     * make a task allocate gigabytes.
     */
    static final long MAX_PIXELS = 89_478_485L;

    /** ImageIO's names of the formats read; ImageIO has others (TIFF, WBMP) that are not image-folder formats. */
    private static final Set<String> FORMATS = Set.of("jpeg", "png", "gif", "bmp");

    private ImageDecoder() {
    }

    /** The image in {@code bytes}, in whatever layout ImageIO decodes it to. */
    static BufferedImage decode(byte[] bytes) throws BadImageException {
        // A memory cache, not ImageIO's default temporary file: the bytes are in memory already.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            ImageReader reader = readerFor(in);
            try {
                reader.setInput(in, true, true);
                long width = reader.getWidth(0);
                long height = reader.getHeight(0);
                if (width * height > MAX_PIXELS) {
                    throw new BadImageException("is " + width + "x" + height + " pixels, more than the "
                            + String.format(Locale.ROOT, "%,d", MAX_PIXELS) + " an image may have");
                }
                return reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            // ImageIO reports corrupt data as IIOException, and sometimes as a runtime exception
            // (IndexOutOfBounds, IllegalArgument, CMMException for a colour profile it cannot apply).
            throw new BadImageException("cannot be decoded by ImageIO (" + describe(e) + ")");
        }
    }

    private static ImageReader readerFor(ImageInputStream in) throws IOException, BadImageException {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        while (readers.hasNext()) {
            ImageReader reader = readers.next();
            if (FORMATS.contains(reader.getFormatName().toLowerCase(Locale.ROOT))) return reader;
        }
        throw new BadImageException("is not a JPEG, PNG, GIF or BMP image (its content starts with no such header)");
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }
}
