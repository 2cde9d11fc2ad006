package io.tributary.common.config;

/** How workers' updates are merged into one model. */
public enum SyncMode {
    /**
     * Tributary's own averaging rounds: K logical replicas each fit {@code averaging-frequency} minibatches
     * of their own share of the data, then their parameters and updater state are averaged in replica
     * order; the model is the same whatever executors run the replicas.
     */
    PARAM_AVG("param-avg", 1e-2, LrSchedule.ONE_CYCLE),
    /**
     * DL4J's SharedTrainingMaster: workers exchange threshold-encoded gradient updates (Strom 2015)
     * over Aeron UDP after every minibatch; the driver is the controller of the mesh.
     */
    SHARED_GRADIENTS("shared-gradients", 1e-3, LrSchedule.CONSTANT),
    /**
     * DL4J's ParameterAveragingTrainingMaster, kept for side-by-side benchmarks of {@link #PARAM_AVG}: its
     * worker count is fixed at first use and its average depends on the order tasks finish.
     */
    DL4J_PARAM_AVG("dl4j-param-avg", 3e-3, LrSchedule.CONSTANT);

    private final String label;
    private final double defaultLearningRate;
    private final LrSchedule defaultSchedule;

    SyncMode(String label, double defaultLearningRate, LrSchedule defaultSchedule) {
        this.label = label;
        this.defaultLearningRate = defaultLearningRate;
        this.defaultSchedule = defaultSchedule;
    }

    /**
     * Adam's learning rate when none is configured: the one that reached the target accuracies soonest in
     * docs/performance.md's time-to-accuracy table (averaged workers take larger steps than shared
     * gradients, whose threshold-encoded updates already move every replica at every minibatch). Under
     * a one-cycle schedule it is the schedule's peak.
     */
    public double defaultLearningRate() {
        return defaultLearningRate;
    }

    /**
     * The learning rate schedule when none is configured: one cycle over the run for averaging rounds
     * (docs/performance.md, "A one-cycle schedule by default"), constant for DL4J's masters, which do not count the steps.
     */
    public LrSchedule defaultSchedule() {
        return defaultSchedule;
    }

    /** The name used on the command line and in config files. */
    public String label() {
        return label;
    }
}
