package io.tributary.job.cli;

import io.tributary.common.InputException;
import io.tributary.common.io.FsLock;
import io.tributary.common.io.HadoopFs;
import io.tributary.common.io.Json;
import io.tributary.common.registry.ModelRegistry;
import io.tributary.job.registry.RetrainJob;
import io.tributary.job.report.RunReport;
import io.tributary.job.spark.SparkConfs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.Callable;

/** {@code tributary registry list|show|promote|rollback}: what operators do with a model registry. */
@Command(name = "registry", mixinStandardHelpOptions = true,
        description = "Lists and inspects a model registry's versions, and moves its champion pointer.",
        subcommands = {RegistryCommand.ListVersions.class, RegistryCommand.Show.class, RegistryCommand.Promote.class,
                RegistryCommand.Rollback.class})
public final class RegistryCommand {
    @Option(names = "--registry", required = true, paramLabel = "URI", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "The registry (local path or Hadoop URI).")
    String registry;
    @Option(names = "--force-unlock", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "Break a lock a killed retraining left (its owner is logged).")
    boolean forceUnlock;
    @Option(names = "--verbose", scope = picocli.CommandLine.ScopeType.INHERIT, description = "Print stack traces of errors.")
    boolean verbose;

    /** Registry operations are file operations: a Hadoop configuration, no Spark. */
    ModelRegistry open() {
        return ModelRegistry.open(HadoopFs.resolve("registry", registry, SparkConfs.hadoopConf()), false);
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "One line per version: champion mark, holdout metrics, decision and when.")
    static final class ListVersions implements Callable<Integer> {
        @ParentCommand
        RegistryCommand parent;

        @Override
        public Integer call() {
            ModelRegistry reg = parent.open();
            if (reg.versions().isEmpty()) {
                System.out.println("Registry " + reg.location() + " has no models yet; 'tributary retrain --registry "
                        + reg.location() + " --data ...' trains the first");
                return TributaryCli.EXIT_OK;
            }
            OptionalInt champion = reg.championPointer();
            Map<Integer, Map<String, Object>> decisions = new LinkedHashMap<>();
            for (Map<String, Object> e : reg.history()) {
                if (ModelRegistry.RETRAIN.equals(e.get("event")) && e.get("version") instanceof Number n) {
                    decisions.put(n.intValue(), e);
                }
            }
            System.out.printf("%-2s %-7s %-10s %-9s %-9s %-10s %s%n", "", "version", "status", "accuracy", "loss",
                    "decision", "trained");
            for (int v : reg.versions()) {
                Map<String, Object> holdout = readJson(reg.versionDir(v).child(RetrainJob.HOLDOUT_FILE));
                Map<String, Object> challenger = map(holdout.get("challenger"));
                Map<String, Object> e = decisions.getOrDefault(v, Map.of());
                System.out.printf(Locale.ROOT, "%-2s %-7s %-10s %-9s %-9s %-10s %s%n",
                        champion.isPresent() && champion.getAsInt() == v ? "*" : "", ModelRegistry.name(v),
                        reg.complete(v) ? "complete" : "incomplete", fmt(challenger.get("accuracy")),
                        fmt(challenger.get("loss")), e.getOrDefault("decision", "-"), e.getOrDefault("time", "-"));
            }
            if (champion.isEmpty()) System.out.println("(no champion yet)");
            return TributaryCli.EXIT_OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "A version's holdout comparison, metrics, provenance and history lines, as JSON.")
    static final class Show implements Callable<Integer> {
        @ParentCommand
        RegistryCommand parent;
        @Parameters(paramLabel = "VERSION", description = "e.g. 3 or 000003.")
        String version;

        @Override
        public Integer call() {
            ModelRegistry reg = parent.open();
            int v = ModelRegistry.parseVersion(version);
            if (!reg.versions().contains(v)) {
                throw new InputException("Version " + ModelRegistry.name(v) + " is not in " + reg.location()
                        + " (versions: " + names(reg.versions()) + ")");
            }
            HadoopFs.Location dir = reg.versionDir(v);
            Map<String, Object> metrics = readJson(dir.child("metrics.json"));
            Map<String, Object> metadata = readJson(dir.child("metadata.json"));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("version", v);
            out.put("location", dir.toString());
            out.put("complete", reg.complete(v));
            out.put("champion", reg.championPointer().orElse(-1) == v);
            out.put("holdout", readJson(dir.child(RetrainJob.HOLDOUT_FILE)));
            Map<String, Object> summary = new LinkedHashMap<>();
            for (String k : List.of("test_accuracy", "train_loss", "examples_per_second", "wall_seconds")) {
                summary.put(k, metrics.get(k));
            }
            out.put("metrics", summary);
            out.put("created", metadata.get("created"));
            out.put("data", metadata.get("data"));
            out.put("config", metadata.get("config"));
            out.put("report", dir.child(RunReport.FILE).toString());
            List<Map<String, Object>> lines = new ArrayList<>();
            for (Map<String, Object> e : reg.history()) {
                if (e.get("version") instanceof Number n && n.intValue() == v) lines.add(e);
            }
            out.put("history", lines);
            System.out.println(Json.write(out));
            return TributaryCli.EXIT_OK;
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true,
            description = "Makes VERSION the champion (recorded in the history).")
    static final class Promote implements Callable<Integer> {
        @ParentCommand
        RegistryCommand parent;
        @Parameters(paramLabel = "VERSION", description = "e.g. 3 or 000003.")
        String version;

        @Override
        public Integer call() throws IOException {
            ModelRegistry reg = parent.open();
            int v = ModelRegistry.parseVersion(version);
            try (FsLock ignored = reg.lock(parent.forceUnlock)) {
                OptionalInt before = reg.championPointer();
                if (before.isPresent() && before.getAsInt() == v) {
                    System.out.println("Version " + ModelRegistry.name(v) + " is already the champion");
                    return TributaryCli.EXIT_OK;
                }
                reg.setChampion(v, ModelRegistry.PROMOTE);
                reg.append(actionLine(ModelRegistry.PROMOTE, v, before, "by an operator"));
                System.out.println("Champion: " + ModelRegistry.name(v) + " (was " + name(before) + ")");
            }
            return TributaryCli.EXIT_OK;
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Makes the previous champion the champion again (recorded in the history).")
    static final class Rollback implements Callable<Integer> {
        @ParentCommand
        RegistryCommand parent;

        @Override
        public Integer call() throws IOException {
            ModelRegistry reg = parent.open();
            try (FsLock ignored = reg.lock(parent.forceUnlock)) {
                OptionalInt before = reg.championPointer();
                int target = reg.rollbackTarget();
                reg.setChampion(target, ModelRegistry.ROLLBACK);
                reg.append(actionLine(ModelRegistry.ROLLBACK, target, before, "by an operator"));
                System.out.println("Champion: " + ModelRegistry.name(target) + " (rolled back from "
                        + name(before) + ")");
            }
            return TributaryCli.EXIT_OK;
        }
    }

    private static Map<String, Object> actionLine(String event, int version, OptionalInt before, String reason) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("event", event);
        e.put("version", version);
        e.put("name", ModelRegistry.name(version));
        e.put("champion_before", before.isPresent() ? before.getAsInt() : null);
        e.put("champion_after", version);
        e.put("reason", reason);
        e.put("user", System.getProperty("user.name"));
        return e;
    }

    private static String name(OptionalInt v) {
        return v.isPresent() ? ModelRegistry.name(v.getAsInt()) : "none";
    }

    private static String names(List<Integer> versions) {
        return versions.isEmpty() ? "none" : String.join(", ", versions.stream().map(ModelRegistry::name).toList());
    }

    private static Map<String, Object> readJson(HadoopFs.Location file) {
        try (InputStream in = file.fs().open(file.path())) {
            return Json.readMap(in.readAllBytes());
        } catch (FileNotFoundException e) {
            return Map.of();
        } catch (IOException e) {
            throw new InputException("Cannot read " + file + ": " + HadoopFs.describe(e));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object v) {
        return v instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static String fmt(Object v) {
        return v instanceof Number n ? String.format(Locale.ROOT, "%.4f", n.doubleValue()) : "-";
    }
}
