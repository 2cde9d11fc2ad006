package io.tributary.common.io;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;

/**
 * The few file operations that locks and atomic replacement are built on, each atomic on its
 * filesystem: the JDK's on local disks ({@code file://}), where Hadoop's own check-then-act versions
 * are not, and Hadoop's on HDFS and the rest.
 */
interface AtomicFiles {
    /**
     * Creates {@code path} with {@code content} unless it exists; of several concurrent callers exactly
     * one succeeds.
     *
     * @return false when {@code path} already exists
     */
    boolean createNew(Path path, byte[] content) throws IOException;

    /** The file's bytes, or {@code null} when it does not exist. */
    byte[] read(Path path) throws IOException;

    /** Deletes a file, if it exists. */
    void delete(Path path) throws IOException;

    /**
     * Writes {@code tmp}, syncs it to stable storage and renames it over {@code target}: a reader, or
     * a process that restarts after a crash at any point, finds the old content or the new.
     */
    void replace(Path target, Path tmp, HadoopFs.StreamWriter writer) throws IOException;

    static AtomicFiles of(FileSystem fs) {
        return "file".equals(fs.getUri().getScheme()) ? new LocalAtomicFiles(fs) : new HadoopAtomicFiles(fs);
    }
}
