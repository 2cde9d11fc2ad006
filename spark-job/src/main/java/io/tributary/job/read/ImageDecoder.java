package io.tributary.job.read;

import io.tributary.common.config.TrainKeys;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.SampleModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes one JPEG, PNG, GIF or BMP file with the JDK's ImageIO. The format is recognised from the
 * content, not the name; a GIF's first frame is read. An image is sized from its header before any
 * pixel is decoded: more than {@link #MAX_PIXELS} pixels, or a raster of more than {@code
 * max-image-bytes} (width x height x the bytes per pixel ImageIO decodes it to: 4 for packed RGB,
 * 2 per sample for 16-bit PNGs), is refused; what is decoded is reserved in the executor's
 * {@link DecodeBudget} first, so concurrent tasks cannot add up to more than its heap takes.
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

    /** What is decoded with the image: its pixels as ImageIO lays them out. */
    interface Decoded<T> {
        T use(BufferedImage image) throws BadImageException;
    }

    /**
     * Decodes the image in {@code bytes} (at most {@code maxBytes} decoded) and hands it to {@code use}
     * while its bytes are reserved in the executor's {@link DecodeBudget}.
     */
    static <T> T decode(byte[] bytes, long maxBytes, Decoded<T> use) throws BadImageException {
        // A memory cache, not ImageIO's default temporary file: the bytes are in memory already.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            ImageReader reader = readerFor(in);
            try {
                reader.setInput(in, true, true);
                long raster = rasterBytes(reader, maxBytes);
                DecodeBudget.acquire(raster + bytes.length);
                try {
                    return use.use(reader.read(0));
                } finally {
                    DecodeBudget.release(raster + bytes.length);
                }
            } finally {
                reader.dispose();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BadImageException("was not decoded: the task was interrupted");
        } catch (IOException | RuntimeException e) {
            // ImageIO reports corrupt data as IIOException, and sometimes as a runtime exception
            // (IndexOutOfBounds, IllegalArgument, CMMException for a colour profile it cannot apply).
            throw new BadImageException("cannot be decoded by ImageIO (" + describe(e) + ")");
        }
    }

    /** The bytes of the raster the reader will decode, from the header; refused beyond the limits. */
    private static long rasterBytes(ImageReader reader, long maxBytes) throws IOException, BadImageException {
        long width = reader.getWidth(0);
        long height = reader.getHeight(0);
        if (width * height > MAX_PIXELS) {
            throw new BadImageException("is " + width + "x" + height + " pixels, more than the "
                    + String.format(Locale.ROOT, "%,d", MAX_PIXELS) + " an image may have");
        }
        long perPixel = bytesPerPixel(reader);
        long raster = width * height * perPixel;
        if (raster > maxBytes) {
            throw new BadImageException(String.format(Locale.ROOT, "is %dx%d pixels of %d bytes: %,d bytes decoded,"
                    + " more than %s %d", width, height, perPixel, raster, TrainKeys.MAX_IMAGE_BYTES.name(), maxBytes));
        }
        return raster;
    }

    /** The bytes one pixel takes as ImageIO decodes it (its first image type); 4 when the reader cannot say. */
    private static long bytesPerPixel(ImageReader reader) throws IOException {
        Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
        if (types == null || !types.hasNext()) return 4;
        SampleModel model = types.next().getSampleModel();
        long bits = (long) model.getNumDataElements() * DataBuffer.getDataTypeSize(model.getDataType());
        return Math.max(1, (bits + 7) / 8);
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
