package io.tributary.common.io;

import io.tributary.common.InputException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Paths;

/**
 * The rule for symbolic links under a data directory: a link is read only when it leads to a file
 * inside the directory. A link to a directory is refused (two links to {@code .} make a listing that
 * never ends, one makes every image count many times), and so is a link that leaves the directory
 * (data handed over by someone else must not read the driver's files). Hadoop's local filesystem
 * lists a link as what it points to, so links are found with {@code java.nio} there; other
 * filesystems report them in their listings.
 */
public final class DataLinks {
    private final HadoopFs.Location root;
    private final java.nio.file.Path realRoot;

    private DataLinks(HadoopFs.Location root, java.nio.file.Path realRoot) {
        this.root = root;
        this.realRoot = realRoot;
    }

    /** The rule for the data directory (or file) {@code root}, which may itself be a link. */
    public static DataLinks under(HadoopFs.Location root) {
        java.nio.file.Path real = null;
        if (isLocal(root.path())) {
            try {
                real = local(root.path()).toRealPath();
            } catch (IOException e) {
                real = local(root.path()).toAbsolutePath().normalize();
            }
        }
        return new DataLinks(root, real);
    }

    /** Refuses {@code entry}, listed under the root, when it is a link that leads outside it or to a directory. */
    public void check(FileStatus entry) {
        Path path = entry.getPath();
        if (realRoot != null) {
            java.nio.file.Path file = local(path);
            if (!Files.isSymbolicLink(file)) return;
            java.nio.file.Path target;
            try {
                target = file.toRealPath();
            } catch (NoSuchFileException e) {
                throw refused(path, "leads to nothing (" + e.getMessage() + ")");
            } catch (FileSystemException e) {
                throw refused(path, "cannot be followed (" + e.getReason() + "): links that form a loop are refused");
            } catch (IOException e) {
                throw refused(path, "cannot be followed (" + e.getMessage() + ")");
            }
            requireInside(path, target.toString(), target.startsWith(realRoot), Files.isDirectory(target));
        } else if (entry.isSymlink()) {
            Path target;
            try {
                target = entry.getSymlink();
            } catch (IOException e) {
                throw refused(path, "cannot be followed (" + e.getMessage() + ")");
            }
            Path qualified = root.fs().makeQualified(new Path(path.getParent(), target));
            requireInside(path, target.toString(), qualified.toString().startsWith(root.path() + "/"),
                    entry.isDirectory());
        }
    }

    private void requireInside(Path link, String target, boolean inside, boolean directory) {
        if (!inside) {
            throw refused(link, "leads to " + target + ", outside the data directory " + root
                    + "; a link under --data may only lead to a file inside it");
        }
        if (directory) {
            throw refused(link, "leads to the directory " + target + "; links to directories are not followed"
                    + " (a link to a folder above it would make the listing endless), put the folder itself under --data");
        }
    }

    private InputException refused(Path link, String why) {
        return new InputException("Data " + root + ": " + link + " is a symbolic link that " + why);
    }

    private static boolean isLocal(Path path) {
        return "file".equals(path.toUri().getScheme());
    }

    private static java.nio.file.Path local(Path path) {
        return Paths.get(path.toUri().getPath());
    }
}
