package io.tributary.common.store;

import io.tributary.common.config.TrainKeys;
import io.tributary.common.model.KerasAttackFiles;
import io.tributary.common.model.KerasModels;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What the import process adds to a Keras load, in one sitting: for each fixture, the median of N
 * imports in this JVM ({@link KerasModels#read}: the Java check and DL4J's import) against the median
 * of N loads the way a run loads ({@link KerasImport#read}: the check, a JVM for the import, the zip
 * read back), after one unmeasured load of each. Arguments: N (default 5).
 * <pre>
 * java -cp "$(cat cp.txt)" io.tributary.common.store.KerasImportBench 5
 * </pre>
 */
public final class KerasImportBench {
    private KerasImportBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        long max = TrainKeys.MAX_PARAMETERS.defaultValue();
        for (String name : List.of("seed_cnn.h5", "two_branch.h5")) {
            Path file = KerasAttackFiles.fixtures().resolve(name);
            KerasModels.read(name, file, 1e-3, max);
            load(file, max);
            List<Double> here = new ArrayList<>();
            List<Double> child = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                long t = System.nanoTime();
                KerasModels.read(name, file, 1e-3, max);
                here.add((System.nanoTime() - t) / 1e9);
                t = System.nanoTime();
                load(file, max);
                child.add((System.nanoTime() - t) / 1e9);
            }
            double a = median(here);
            double b = median(child);
            System.out.printf("%s: in this JVM %.2f s, through the import process %.2f s (median of %d): +%.2f s, %.2fx%n",
                    name, a, b, n, b - a, b / a);
        }
    }

    private static void load(Path file, long max) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            KerasImport.read(file.toString(), in, 1e-3, max);
        }
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }
}
