package io.tributary.common.data;

import io.tributary.common.InputException;
import io.tributary.common.io.HadoopFs;
import org.apache.hadoop.conf.Configuration;

/**
 * Reads one split of a data directory in a JVM of its own, so a test can give it a small heap: prints
 * the example count and exits 0, or prints the refusal and exits 2 as the CLI does for bad input.
 * Arguments: the directory, the split (TRAIN or TEST).
 */
public final class ReadSplitMain {
    private ReadSplitMain() {
    }

    public static void main(String[] args) {
        IdxDirectory dir = new IdxDirectory(HadoopFs.resolve("data", args[0], new Configuration()));
        try {
            IdxData data = dir.read(IdxDirectory.Split.valueOf(args[1]));
            System.out.println("read " + data.count() + " examples");
        } catch (InputException e) {
            System.err.println("tributary: " + e.getMessage());
            System.exit(2);
        }
    }
}
