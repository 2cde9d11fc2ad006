package io.tributary.job.read;

import io.tributary.common.InputException;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Spark's own reports of a data file it could not read (a Parquet or ORC file that is corrupt, cut
 * short or not of its format), found in a failure's cause chain and turned into an input error
 * naming the file and what is wrong with it, as every other bad input is.
 */
public final class ReadFailure {
    /** Spark's messages for a file its reader failed on; group 1 is the file. */
    private static final Pattern FILE = Pattern.compile(
            "(?:Encountered error while reading file|Could not read footer for file:?) (\\S+?)\\.?(?:\\s|$)");

    /** Packages of the columnar formats' decoders, Spark's and the formats' own. */
    private static final String[] DECODERS = {"org.apache.parquet.", "org.apache.orc.",
            "org.apache.spark.sql.execution.datasources.parquet.", "org.apache.spark.sql.execution.datasources.orc.",
            "org.apache.spark.sql.execution.vectorized.", "org.apache.hadoop.hive.ql.io.orc."};
    /** How deep into a stack a decoder's frame makes the error the file's. */
    private static final int DECODER_FRAMES = 6;

    private ReadFailure() {
    }

    /**
     * The input error {@code failure} stands for, if it is Spark failing to read a data file;
     * {@code data} (the command's {@code --data}, or {@code null}) names where the file lies when
     * the failure does not name the file itself.
     */
    public static Optional<InputException> of(Throwable failure, String data) {
        String file = null;
        Throwable root = failure;
        boolean formatError = false;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            Matcher m = FILE.matcher(String.valueOf(t.getMessage()));
            if (file == null && m.find()) file = m.group(1);
            formatError |= isFormatError(t);
            root = t;
        }
        if (file == null && !formatError) return Optional.empty();
        String what = file != null ? "Data file " + file : data != null ? "A data file of --data " + data : "A data file";
        return Optional.of(new InputException(what + " cannot be read: " + describe(root) + "; it is corrupt, cut"
                + " short or not in the format it is read as, so replace or remove it", failure));
    }

    /**
     * Errors of the columnar formats' own decoders (thrift metadata, pages, codecs), whatever wraps
     * them: by their class or message, or by where they were thrown (a decoder's
     * {@code ArrayIndexOutOfBoundsException} on a corrupt page says nothing else).
     */
    private static boolean isFormatError(Throwable t) {
        String name = t.getClass().getName();
        String message = String.valueOf(t.getMessage());
        if (name.contains(".parquet.") || name.contains(".orc.") || name.contains("thrift")
                || message.startsWith("can not read ") || message.startsWith("FAILED_TO_UNCOMPRESS")
                || message.contains("is not a Parquet file") || message.startsWith("corrupted file: ")) {
            return true;
        }
        StackTraceElement[] frames = t.getStackTrace();
        for (int i = 0; i < Math.min(DECODER_FRAMES, frames.length); i++) {
            String c = frames[i].getClassName();
            for (String decoder : DECODERS) {
                if (c.startsWith(decoder)) return true;
            }
        }
        return false;
    }

    private static String describe(Throwable t) {
        String line = firstLine(t);
        return t.getMessage() == null || line.startsWith(t.getClass().getSimpleName()) ? line
                : t.getClass().getSimpleName() + ": " + line;
    }

    private static String firstLine(Throwable t) {
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        String line = m.lines().findFirst().orElse(m);
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
