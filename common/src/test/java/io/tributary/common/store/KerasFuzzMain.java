package io.tributary.common.store;

import io.tributary.common.InputException;
import io.tributary.common.config.ConfigLoader;
import io.tributary.common.config.TrainConfig;
import io.tributary.common.model.KerasAttackFiles;
import io.tributary.common.model.KerasMutations;
import org.apache.hadoop.conf.Configuration;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The fuzz test's reader, in a JVM of its own (the test gives it a 512 MiB heap): mutates
 * {@code seed_cnn.h5} and {@code two_branch.h5} and reads each mutation the way {@code train --model}
 * does ({@link ModelSource}), printing one tab-separated line per mutation: its number, the file, the
 * outcome ({@code accepted}, {@code refused} or {@code FAILED}), milliseconds, what was mutated, and
 * the refusal's sentence or the failure's stack trace (a newline written as {@code \n}). Mutation {@code i} is made with
 * {@code new Random(seed * 1_000_003 + i)}, so any one reproduces alone.
 * Arguments: seed, first mutation, count, a scratch directory.
 */
public final class KerasFuzzMain {
    private static final List<String> FILES = List.of("seed_cnn.h5", "two_branch.h5");

    private KerasFuzzMain() {
    }

    public static void main(String[] args) throws Exception {
        long seed = Long.parseLong(args[0]);
        int first = Integer.parseInt(args[1]);
        int count = Integer.parseInt(args[2]);
        Path dir = Path.of(args[3]);
        Configuration hadoop = new Configuration();
        KerasMutations[] mutations = new KerasMutations[FILES.size()];
        for (int f = 0; f < FILES.size(); f++) {
            mutations[f] = new KerasMutations(Files.readAllBytes(KerasAttackFiles.fixtures().resolve(FILES.get(f))));
        }
        for (int i = first; i < first + count; i++) {
            Random random = new Random(seed * 1_000_003L + i);
            int f = random.nextInt(FILES.size());
            KerasMutations.Mutation m = mutations[f].mutate(random);
            Path file = Files.write(dir.resolve("mutation-" + i + ".h5"), m.bytes());
            TrainConfig config = ConfigLoader.load(null, Map.of("data", "/data", "output", "/output", "model",
                    file.toString()));
            long start = System.nanoTime();
            String outcome;
            String detail;
            try {
                ModelSource.of(config, hadoop);
                outcome = "accepted";
                detail = "";
            } catch (InputException e) {
                outcome = "refused";
                detail = e.getMessage();
            } catch (Throwable e) {
                outcome = "FAILED";
                StringWriter trace = new StringWriter();
                e.printStackTrace(new PrintWriter(trace));
                detail = trace.toString();
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            System.out.println(i + "\t" + FILES.get(f) + "\t" + outcome + "\t" + ms + "\t" + m.description() + "\t"
                    + detail.replace("\n", "\\n").replace('\t', ' '));
            System.out.flush();
            Files.delete(file);
        }
    }
}
