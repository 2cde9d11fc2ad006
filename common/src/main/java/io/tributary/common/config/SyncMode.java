package io.tributary.common.config;

/** How workers' updates are merged into one model. */
public enum SyncMode {
    /** DL4J's ParameterAveragingTrainingMaster: workers fit locally, parameters are averaged every K minibatches. */
    PARAM_AVG("param-avg", 3e-3),
    /**
     * DL4J's SharedTrainingMaster: workers exchange threshold-encoded gradient updates (Strom 2015)
     * over Aeron UDP after every minibatch; the driver is the controller of the mesh.
     */
    SHARED_GRADIENTS("shared-gradients", 1e-3);

    private final String label;
    private final double defaultLearningRate;

    SyncMode(String label, double defaultLearningRate) {
        this.label = label;
        this.defaultLearningRate = defaultLearningRate;
    }

    /**
     * Adam's learning rate when none is configured: the one that reached the target accuracies soonest in
     * docs/performance.md's time-to-accuracy table (averaged workers take larger steps than shared
     * gradients, whose threshold-encoded updates already move every replica at every minibatch).
     */
    public double defaultLearningRate() {
        return defaultLearningRate;
    }

    /** The name used on the command line and in config files. */
    public String label() {
        return label;
    }
}
