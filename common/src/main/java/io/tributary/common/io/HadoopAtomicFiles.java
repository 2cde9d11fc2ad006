package io.tributary.common.io;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;

/**
 * {@link AtomicFiles} through Hadoop's API. On HDFS the NameNode makes {@code create(overwrite=false)}
 * and {@code rename(OVERWRITE)} atomic. Object stores (s3a, gs, abfs without hierarchical namespace)
 * give no such guarantee: there these are best effort.
 */
final class HadoopAtomicFiles implements AtomicFiles {
    private final FileSystem fs;

    HadoopAtomicFiles(FileSystem fs) {
        this.fs = fs;
    }

    @Override
    public boolean createNew(Path path, byte[] content) throws IOException {
        FSDataOutputStream out;
        try {
            out = fs.create(path, false);
        } catch (IOException e) {
            // FileAlreadyExistsException, or the same reported only in the message by some filesystems.
            if (e instanceof FileAlreadyExistsException
                    || (e.getMessage() != null && e.getMessage().contains("already exists"))) {
                return false;
            }
            throw e;
        }
        try {
            HadoopFs.writeSynced(out, o -> o.write(content));
        } catch (IOException e) {
            try {
                fs.delete(path, false);   // ours, half written
            } catch (IOException ignored) {
                // The write's own error is the one to report.
            }
            throw e;
        }
        return true;
    }

    @Override
    public byte[] read(Path path) throws IOException {
        try (InputStream in = fs.open(path)) {
            return in.readAllBytes();
        } catch (FileNotFoundException e) {
            return null;
        }
    }

    @Override
    public void delete(Path path) throws IOException {
        fs.delete(path, false);
    }

    @Override
    public void replace(Path target, Path tmp, HadoopFs.StreamWriter writer) throws IOException {
        HadoopFs.createSynced(fs, tmp, writer);
        // Not every filesystem applies the configured umask on create.
        fs.setPermission(tmp, FsPermission.getFileDefault().applyUMask(HadoopFs.umask(fs)));
        CrashPoint.reach(HadoopFs.CRASH_BEFORE_RENAME);
        FileContext.getFileContext(fs.getUri(), fs.getConf()).rename(tmp, target, Options.Rename.OVERWRITE);
    }
}
