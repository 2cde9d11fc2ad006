package io.tributary.job.score;

import io.tributary.common.InputException;
import io.tributary.common.io.CrashPoint;
import io.tributary.common.io.HadoopFs;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;

import java.io.FileNotFoundException;
import java.io.IOException;

/**
 * The output directory of a scoring run, which appears whole or not at all: the part files and the
 * run's JSON files are written into a temporary sibling ({@code _tmp.<name>.<uuid>}, which Hadoop
 * readers skip), {@value #SUCCESS} is written last, and the directory is then renamed into place.
 * A killed run leaves only the temporary directory, without {@value #SUCCESS}; an existing output is
 * refused unless overwriting is asked for, and then replaced only when the new one is complete.
 */
public final class PredictionOutput {
    /** The marker of a complete output, as Spark's committers name it. */
    public static final String SUCCESS = "_SUCCESS";
    /** Where a test can crash the run: after {@value #SUCCESS} is written, before the rename. */
    public static final String CRASH_BEFORE_RENAME = "predict-before-rename";

    private final HadoopFs.Location target;
    private final boolean overwrite;
    private final Path temporary;

    private PredictionOutput(HadoopFs.Location target, boolean overwrite, Path temporary) {
        this.target = target;
        this.overwrite = overwrite;
        this.temporary = temporary;
    }

    /** Checks that {@code target} may be written (absent, or {@code overwrite}) and picks the temporary directory. */
    public static PredictionOutput claim(HadoopFs.Location target, boolean overwrite) {
        requireWritable(target, overwrite);
        try {
            Path parent = target.path().getParent();
            if (parent != null && !target.fs().exists(parent) && !target.fs().mkdirs(parent)) {
                throw new InputException("Cannot create " + parent + " for --output " + target);
            }
        } catch (IOException e) {
            throw new InputException("Cannot use --output " + target + ": " + HadoopFs.describe(e));
        }
        return new PredictionOutput(target, overwrite, HadoopFs.temporaryFor(target.path()));
    }

    private static void requireWritable(HadoopFs.Location target, boolean overwrite) {
        try {
            FileStatus status = target.fs().getFileStatus(target.path());
            if (!status.isDirectory()) {
                throw new InputException("Output " + target + " exists and is a file; --output must name a directory");
            }
            if (!overwrite) {
                throw new InputException("Output " + target + " already exists; pass --overwrite to replace it, "
                        + "or choose another --output");
            }
        } catch (FileNotFoundException e) {
            // Absent: the usual case.
        } catch (IOException e) {
            throw new InputException("Cannot use --output " + target + ": " + HadoopFs.describe(e));
        }
    }

    /** The final location. */
    public HadoopFs.Location target() {
        return target;
    }

    /** The temporary directory the part files go to (absent until they are written). */
    public String temporary() {
        return temporary.toString();
    }

    /** Writes {@code name} into the temporary directory. */
    public void write(String name, byte[] content) throws IOException {
        HadoopFs.createSynced(target.fs(), new Path(temporary, name), out -> out.write(content));
    }

    /**
     * Marks the output complete and renames it into place; an output that appeared meanwhile is
     * refused unless overwriting, and then moved aside first and deleted once the new one is in place.
     */
    public void commit() throws IOException {
        write(SUCCESS, new byte[0]);
        CrashPoint.reach(CRASH_BEFORE_RENAME);
        requireWritable(target, overwrite);
        Path old = null;
        if (target.fs().exists(target.path())) {
            old = HadoopFs.temporaryFor(target.path());
            if (!target.fs().rename(target.path(), old)) {
                throw new IOException("Cannot move the old output " + target + " aside to " + old);
            }
        }
        if (!target.fs().rename(temporary, target.path())) {
            if (old != null) target.fs().rename(old, target.path());
            throw new IOException("Cannot rename " + temporary + " to " + target);
        }
        if (old != null) target.fs().delete(old, true);
    }

    /** Removes the temporary directory (a failed run). */
    public void abort() {
        try {
            target.fs().delete(temporary, true);
        } catch (IOException ignored) {
            // Best effort: its name marks it as temporary for readers.
        }
    }
}
