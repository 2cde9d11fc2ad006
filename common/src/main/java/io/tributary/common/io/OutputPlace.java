package io.tributary.common.io;

import io.tributary.common.InputException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Where a job may write: never onto, into or around what it reads, and never where another job
 * holds a directory. An output that is, contains or lies inside an input (the data, held-out data,
 * the model, a registry) is refused before anything moves, since replacing it (an overwrite) would
 * delete what the job reads, and writing beside it would mix outputs into the data. Locations are
 * compared resolved and qualified: the same filesystem, and on a local disk the real path (symbolic
 * links followed), so {@code ./data} and {@code file:/home/u/data} are one place.
 */
public final class OutputPlace {
    /** Entries of an existing output searched for another job's lock before it is replaced. */
    static final int MAX_SCANNED = 100_000;

    /** Something a job reads: its key for messages ({@code data}, {@code model}...) and where it is. */
    public record Input(String key, HadoopFs.Location location) {
    }

    private OutputPlace() {
    }

    /**
     * Refuses {@code output} (named by {@code outputKey}) when it is, contains or lies inside any of
     * {@code inputs}; and when {@code ownLock} is false, also when it lies inside, or holds, a
     * directory locked by a running job ({@value RunOutput#LOCK_FILE}) other than one of this JVM's.
     *
     * @param ownLock whether the output's own lock is the caller's business (a training run claims
     *                its directory with {@link RunOutput}, which refuses a locked one itself)
     */
    public static void require(String outputKey, HadoopFs.Location output, List<Input> inputs, boolean ownLock) {
        String out = canonical(output);
        for (Input in : inputs) {
            if (!sameFileSystem(output, in.location())) continue;
            String place = canonical(in.location());
            String relation = out.equals(place) ? "is" : within(place, out) ? "contains" : within(out, place)
                    ? "lies inside" : null;
            if (relation != null) {
                throw new InputException("--" + outputKey + " " + output + " " + relation + " --" + in.key() + " "
                        + in.location() + ", which this job reads; writing there could replace or delete it,"
                        + " so choose an --" + outputKey + " apart from every input");
            }
        }
        requireUnlocked(outputKey, output, ownLock);
    }

    private static void requireUnlocked(String outputKey, HadoopFs.Location output, boolean ownLock) {
        try {
            for (Path dir = ownLock ? output.path().getParent() : output.path(); dir != null; dir = dir.getParent()) {
                requireNoLock(outputKey, output, new Path(dir, RunOutput.LOCK_FILE));
            }
            FileStatus status = output.fs().getFileStatus(output.path());
            if (status.isDirectory()) scanForLocks(outputKey, output, ownLock);
        } catch (FileNotFoundException e) {
            // A new output: nothing inside it can be held.
        } catch (IOException e) {
            throw new InputException("Cannot use --" + outputKey + " " + output + ": " + HadoopFs.describe(e));
        }
    }

    private static void requireNoLock(String outputKey, HadoopFs.Location output, Path lock) throws IOException {
        if (!FsLock.heldHere(output.fs().makeQualified(lock)) && output.fs().exists(lock)) {
            throw new InputException("--" + outputKey + " " + output + " " + (lock.getParent().equals(output.path())
                    ? "is" : lock.getParent().depth() < output.path().depth() ? "lies inside" : "holds")
                    + " the directory " + lock.getParent() + ", which a running job holds (its " + RunOutput.LOCK_FILE
                    + " file); wait for that job, or choose another --" + outputKey);
        }
    }

    /** Looks for locks below an existing output, which replacing it would delete from under their jobs. */
    private static void scanForLocks(String outputKey, HadoopFs.Location output, boolean ownLock) throws IOException {
        Deque<Path> dirs = new ArrayDeque<>(List.of(output.path()));
        long scanned = 0;
        while (!dirs.isEmpty()) {
            RemoteIterator<FileStatus> it = output.fs().listStatusIterator(dirs.pop());
            while (it.hasNext()) {
                FileStatus s = it.next();
                if (++scanned > MAX_SCANNED) {
                    throw new InputException("--" + outputKey + " " + output + " already holds more than " + MAX_SCANNED
                            + " files; an output is replaced whole, so choose a new --" + outputKey);
                }
                if (s.isDirectory()) {
                    dirs.push(s.getPath());
                } else if (s.getPath().getName().equals(RunOutput.LOCK_FILE)
                        && !(ownLock && s.getPath().getParent().equals(output.path()))) {
                    requireNoLock(outputKey, output, s.getPath());
                }
            }
        }
    }

    private static boolean sameFileSystem(HadoopFs.Location a, HadoopFs.Location b) {
        return a.fs().getUri().equals(b.fs().getUri());
    }

    /** Whether {@code inner} lies strictly inside {@code outer}. */
    private static boolean within(String inner, String outer) {
        return inner.startsWith(outer.endsWith("/") ? outer : outer + "/");
    }

    /**
     * The location as compared: on a local disk its real path (the deepest existing ancestor resolved,
     * the rest appended); elsewhere its qualified path.
     */
    static String canonical(HadoopFs.Location location) {
        Path path = location.path();
        if (!"file".equals(path.toUri().getScheme())) return path.toUri().getPath();
        java.nio.file.Path p = Paths.get(path.toUri().getPath()).toAbsolutePath().normalize();
        java.nio.file.Path rest = null;
        while (p != null && !Files.exists(p)) {
            rest = rest == null ? p.getFileName() : p.getFileName().resolve(rest);
            p = p.getParent();
        }
        if (p == null) return path.toUri().getPath();
        try {
            java.nio.file.Path real = p.toRealPath();
            return (rest == null ? real : real.resolve(rest)).toString();
        } catch (IOException e) {
            return path.toUri().getPath();
        }
    }
}
