package io.tributary.job.bench;

import io.tributary.common.data.IdxData;
import io.tributary.common.data.IdxDirectory;
import io.tributary.common.io.HadoopFs;
import org.apache.hadoop.conf.Configuration;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Writes an IDX split as an image folder: one subdirectory per label ("0".."9"), one grey PNG per
 * example, named by its index. The image-folder input of deploy/bench/data.sh.
 *
 * <p>Arguments: IDX_DIR train|t10k OUT_DIR
 */
public final class ImageFolderOf {
    private ImageFolderOf() {
    }

    public static void main(String[] args) throws IOException {
        IdxDirectory.Split split = args[1].equals("t10k") ? IdxDirectory.Split.TEST : IdxDirectory.Split.TRAIN;
        IdxData data = new IdxDirectory(HadoopFs.resolve("data", args[0], new Configuration())).read(split);
        Path out = Path.of(args[2]);
        int rows = data.rows();
        int cols = data.cols();
        byte[] pixels = new byte[rows * cols];
        for (int i = 0; i < data.count(); i++) {
            System.arraycopy(data.pixels(), i * pixels.length, pixels, 0, pixels.length);
            BufferedImage img = new BufferedImage(cols, rows, BufferedImage.TYPE_BYTE_GRAY);
            img.getRaster().setDataElements(0, 0, cols, rows, pixels);
            Path dir = Files.createDirectories(out.resolve(Integer.toString(data.labels()[i] & 0xff)));
            ImageIO.write(img, "png", dir.resolve(String.format("%05d.png", i)).toFile());
        }
        System.out.printf("Wrote %d images of %s to %s%n", data.count(), args[1], out);
    }
}
