package io.tributary.common.io;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.Syncable;
import org.apache.hadoop.fs.permission.FsPermission;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * {@link AtomicFiles} on a local disk through the JDK, because Hadoop's local filesystem checks and
 * then acts: its {@code create(path, false)} tests for the file and then opens it (two runs can both
 * "create" it), and {@code FileContext.rename(OVERWRITE)} deletes the target before renaming (a
 * crash in between loses it). Here a new file is written under a temporary name, synced, and then
 * made visible in one system call: {@code link(2)} (fails if the name exists) or {@code rename(2)}
 * (replaces it). Files are written without Hadoop's {@code .crc} sums; a stale one is removed first,
 * as Hadoop would otherwise check the new content against it.
 */
final class LocalAtomicFiles implements AtomicFiles {
    private final FileSystem fs;

    LocalAtomicFiles(FileSystem fs) {
        this.fs = fs;
    }

    private static java.nio.file.Path local(Path path) {
        return new File(path.toUri().getPath()).toPath();
    }

    private static java.nio.file.Path checksumOf(java.nio.file.Path file) {
        return file.resolveSibling("." + file.getFileName() + ".crc");
    }

    @Override
    public boolean createNew(Path path, byte[] content) throws IOException {
        java.nio.file.Path file = local(path);
        java.nio.file.Path tmp = local(HadoopFs.temporaryFor(path));
        write(tmp, o -> o.write(content));
        try {
            // The name appears with its whole content, or not at all.
            Files.createLink(file, tmp);
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (FileSystemException | UnsupportedOperationException e) {
            if (e instanceof FileSystemException f && f.getClass() != FileSystemException.class) throw f;
            // No hard links on this filesystem (EPERM): O_CREAT|O_EXCL is atomic too, but shows the
            // file empty for the moment it takes to write it.
            try {
                write(file, o -> o.write(content));
            } catch (FileAlreadyExistsException exists) {
                return false;
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        Files.deleteIfExists(checksumOf(file));
        syncDirectory(file);
        return true;
    }

    @Override
    public byte[] read(Path path) throws IOException {
        try {
            return Files.readAllBytes(local(path));
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @Override
    public void delete(Path path) throws IOException {
        java.nio.file.Path file = local(path);
        Files.deleteIfExists(file);
        Files.deleteIfExists(checksumOf(file));
    }

    @Override
    public void replace(Path target, Path tmp, HadoopFs.StreamWriter writer) throws IOException {
        java.nio.file.Path file = local(target);
        java.nio.file.Path temporary = local(tmp);
        write(temporary, writer);
        // Without its sum the old file stays readable; with a stale one the new would not be.
        Files.deleteIfExists(checksumOf(file));
        CrashPoint.reach(HadoopFs.CRASH_BEFORE_RENAME);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(file);
    }

    /** Creates {@code file} (failing if it exists) with the configured permissions, writes it and syncs it. */
    private void write(java.nio.file.Path file, HadoopFs.StreamWriter writer) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try (channel) {
            String mode = FsPermission.getFileDefault().applyUMask(HadoopFs.umask(fs)).toString();
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode.substring(0, 9)));
            } catch (UnsupportedOperationException notPosix) {
                // Permissions are the platform's.
            }
            FSDataOutputStream out = new FSDataOutputStream(new ChannelStream(channel), null);
            writer.write(out);
            out.flush();
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);   // ours: CREATE_NEW succeeded
            throw e;
        }
    }

    /** Makes a new or renamed name durable: on Linux the directory entry is synced separately from the file. */
    private static void syncDirectory(java.nio.file.Path file) {
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException ignored) {
            // Not every platform can sync a directory; the rename itself is still atomic.
        }
    }

    /**
     * The channel as a stream whose {@code close()} leaves the channel open (writers such as DL4J's
     * close what they are given, and the channel must still be synced), and whose {@code hsync()} syncs it.
     */
    private static final class ChannelStream extends OutputStream implements Syncable {
        private final FileChannel channel;

        ChannelStream(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
            while (buffer.hasRemaining()) channel.write(buffer);
        }

        @Override
        public void hflush() {
            // Writes go straight to the channel.
        }

        @Override
        public void hsync() throws IOException {
            channel.force(true);
        }

        @Override
        public void close() {
            // The owner of the channel closes it, after syncing.
        }
    }
}
