package io.tributary.job.cli;

import io.tributary.common.InputException;
import io.tributary.job.read.ReadFailure;
import io.tributary.job.spark.MemoryKills;
import io.tributary.job.train.BuildInfo;
import org.apache.spark.SparkUserAppException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.Optional;

/**
 * The {@code tributary} command. Exit status: 0 success, 2 for usage, configuration and input
 * errors (executors killed for using more memory than their containers hold among them), 1 for
 * runtime failures. Errors are one sentence on stderr; {@code --verbose} adds the trace. In YARN's
 * cluster mode the status becomes the application's final status instead of the JVM's.
 */
@Command(name = "tributary", mixinStandardHelpOptions = true, versionProvider = TributaryCli.Version.class,
        description = "Trains neural networks on Apache Spark with DL4J.",
        subcommands = {TrainCommand.class, RetrainCommand.class, RegistryCommand.class, EvaluateCommand.class, PredictCommand.class,
                ConfigCommand.class, ConvertCommand.class, BenchCommand.class,
                DoctorCommand.class})
public final class TributaryCli {
    public static final int EXIT_OK = 0;
    public static final int EXIT_RUNTIME = 1;
    public static final int EXIT_INPUT = 2;

    public static void main(String[] args) throws SparkUserAppException {
        int status = execute(args);
        if (inYarnApplicationMaster()) {
            // Spark's application master runs main in a thread and reports the application's final status
            // from how it ends: returning is SUCCEEDED, this exception FAILED with the status as the exit
            // code, and System.exit (even 0) FAILED with "shutdown hook called before final status".
            if (status != EXIT_OK) throw new SparkUserAppException(status);
            return;
        }
        System.exit(status);
    }

    /** True in a driver that spark-submit started in YARN's cluster mode (the application master sets both). */
    static boolean inYarnApplicationMaster() {
        return "yarn".equals(System.getProperty("spark.master"))
                && "cluster".equals(System.getProperty("spark.submit.deployMode"));
    }

    /** Runs the command line and returns the exit status (no System.exit: usable from tests). */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new TributaryCli());
        cli.setExecutionExceptionHandler(TributaryCli::handle);
        cli.setParameterExceptionHandler((ex, a) -> {
            System.err.println("tributary: " + ex.getMessage());
            // The full command ("tributary registry list"), so the hint names a command that exists.
            System.err.println("Run '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
            return EXIT_INPUT;
        });
        return cli.execute(args);
    }

    private static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        boolean verbose = parsed.subcommand() != null && parsed.subcommand().hasMatchedOption("--verbose");
        Optional<String> memory = MemoryKills.explanation();
        if (memory.isPresent()) {
            System.err.println("tributary: " + memory.get());
            if (verbose) e.printStackTrace();
            return EXIT_INPUT;
        }
        String data = parsed.subcommand() == null ? null : parsed.subcommand().matchedOptionValue("--data", null);
        Throwable input = findInputError(e, data);
        if (input != null) {
            System.err.println("tributary: " + input.getMessage());
            if (verbose) e.printStackTrace();
            return EXIT_INPUT;
        }
        System.err.println("tributary: " + cmd.getCommandName() + " failed: " + e
                + (verbose ? "" : " (run with --verbose for the stack trace)"));
        if (verbose) e.printStackTrace();
        return EXIT_RUNTIME;
    }

    /**
     * An input error may arrive wrapped (for example by Spark); find it in the cause chain, or see a
     * data file Spark could not read in it ({@link ReadFailure}).
     */
    private static Throwable findInputError(Throwable e, String data) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof InputException) return t;
        }
        return ReadFailure.of(e, data).orElse(null);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"tributary " + BuildInfo.version() + " (git " + BuildInfo.gitRevision() + ")"};
        }
    }
}
