package io.tributary.job.cli;

import io.tributary.common.InputException;
import io.tributary.common.io.FsLock;
import io.tributary.common.io.HadoopFs;
import io.tributary.common.io.Json;
import io.tributary.common.registry.HistoryEntry;
import io.tributary.common.registry.HoldoutComparison;
import io.tributary.common.registry.ModelRegistry;
import io.tributary.common.run.RunMetadata;
import io.tributary.common.run.RunMetrics;
import io.tributary.job.report.RunReport;
import io.tributary.job.spark.SparkConfs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;

import java.io.IOException;
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
    @Option(names = "--registry", required = true, paramLabel = "URI", scope = ScopeType.INHERIT,
            description = "The registry (local path or Hadoop URI).")
    String registry;
    @Option(names = "--force-unlock", scope = ScopeType.INHERIT,
            description = "Break a lock a killed retraining left (its owner is logged).")
    boolean forceUnlock;
    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print stack traces of errors.")
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
            Map<Integer, HistoryEntry> decisions = new LinkedHashMap<>();
            for (HistoryEntry e : reg.history()) {
                if (ModelRegistry.RETRAIN.equals(e.event()) && e.version() != null) decisions.put(e.version(), e);
            }
            System.out.printf("%-2s %-7s %-10s %-9s %-9s %-10s %s%n", "", "version", "status", "accuracy", "loss",
                    "decision", "trained");
            for (int v : reg.versions()) {
                HoldoutComparison holdout = HoldoutComparison.read(reg.versionDir(v));
                Map<String, Object> challenger = holdout == null ? Map.of() : holdout.challenger();
                HistoryEntry e = decisions.get(v);
                System.out.printf(Locale.ROOT, "%-2s %-7s %-10s %-9s %-9s %-10s %s%n",
                        champion.isPresent() && champion.getAsInt() == v ? "*" : "", ModelRegistry.name(v),
                        reg.complete(v) ? "complete" : "incomplete", fmt(challenger.get("accuracy")),
                        fmt(challenger.get("loss")), orDash(e == null ? null : e.decision()),
                        orDash(e == null ? null : e.time()));
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
            RunMetrics metrics = RunMetrics.read(dir);
            RunMetadata metadata = RunMetadata.read(dir);
            HoldoutComparison holdout = HoldoutComparison.read(dir);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("version", v);
            out.put("location", dir.toString());
            out.put("complete", reg.complete(v));
            out.put("champion", reg.championPointer().orElse(-1) == v);
            out.put("holdout", holdout == null ? Map.of() : holdout.toMap());
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("test_accuracy", metrics == null ? null : metrics.testAccuracy());
            summary.put("train_loss", metrics == null ? null : metrics.trainLoss());
            summary.put("examples_per_second", metrics == null ? null : metrics.examplesPerSecond());
            summary.put("wall_seconds", metrics == null ? null : metrics.wallSeconds());
            out.put("metrics", summary);
            out.put("created", metadata == null ? null : metadata.created());
            out.put("data", metadata == null ? null : metadata.data());
            out.put("config", metadata == null ? null : metadata.config());
            out.put("report", dir.child(RunReport.FILE).toString());
            List<Map<String, Object>> lines = new ArrayList<>();
            for (HistoryEntry e : reg.history()) {
                if (e.version() != null && e.version() == v) lines.add(e.toMap());
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
                reg.append(HistoryEntry.action(ModelRegistry.PROMOTE, v, before, "by an operator",
                        System.getProperty("user.name")));
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
                reg.append(HistoryEntry.action(ModelRegistry.ROLLBACK, target, before, "by an operator",
                        System.getProperty("user.name")));
                System.out.println("Champion: " + ModelRegistry.name(target) + " (rolled back from "
                        + name(before) + ")");
            }
            return TributaryCli.EXIT_OK;
        }
    }

    private static String name(OptionalInt v) {
        return v.isPresent() ? ModelRegistry.name(v.getAsInt()) : "none";
    }

    private static String names(List<Integer> versions) {
        return versions.isEmpty() ? "none" : String.join(", ", versions.stream().map(ModelRegistry::name).toList());
    }

    private static String orDash(String s) {
        return s == null ? "-" : s;
    }

    private static String fmt(Object v) {
        return v instanceof Number n ? String.format(Locale.ROOT, "%.4f", n.doubleValue()) : "-";
    }
}
