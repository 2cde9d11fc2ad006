import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;

/**
 * Writes an IDX split (gzipped, as Debian's dataset packages ship it) as an image folder: one
 * subdirectory per label ("0".."9"), one grey PNG per example, named by its index. The image-folder
 * input of deploy/bench/data.sh.
 *   java deploy/bench/ImageFolderOf.java IDX_DIR train|t10k OUT_DIR
 */
public class ImageFolderOf {
    public static void main(String[] args) throws IOException {
        Path idx = Path.of(args[0]);
        String split = args[1];
        Path out = Path.of(args[2]);
        try (DataInputStream images = open(idx.resolve(split + "-images-idx3-ubyte.gz"), 0x803);
             DataInputStream labels = open(idx.resolve(split + "-labels-idx1-ubyte.gz"), 0x801)) {
            int n = images.readInt();
            if (labels.readInt() != n) throw new IOException("image and label counts differ in " + idx);
            int rows = images.readInt();
            int cols = images.readInt();
            byte[] pixels = new byte[rows * cols];
            for (int i = 0; i < n; i++) {
                images.readFully(pixels);
                int label = labels.readUnsignedByte();
                BufferedImage img = new BufferedImage(cols, rows, BufferedImage.TYPE_BYTE_GRAY);
                img.getRaster().setDataElements(0, 0, cols, rows, pixels);
                Path dir = Files.createDirectories(out.resolve(Integer.toString(label)));
                ImageIO.write(img, "png", dir.resolve(String.format("%05d.png", i)).toFile());
            }
            System.out.printf("Wrote %d images of %s to %s%n", n, split, out);
        }
    }

    private static DataInputStream open(Path file, int magic) throws IOException {
        InputStream in = new GZIPInputStream(Files.newInputStream(file), 1 << 16);
        DataInputStream data = new DataInputStream(new java.io.BufferedInputStream(in, 1 << 16));
        if (data.readInt() != magic) throw new IOException(file + " is not an IDX file of magic " + magic);
        return data;
    }
}
