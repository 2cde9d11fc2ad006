package io.tributary.common.config;

/** How Adam's learning rate moves over a run. */
public enum LrSchedule {
    /** The learning rate throughout. */
    CONSTANT("constant"),
    /**
     * One cycle over the run's epochs, as PyTorch's {@code OneCycleLR} (cosine annealing): from a 25th of
     * the learning rate up to it over the first 30% of the run's minibatch steps, then down to a
     * 250,000th of it at the last step. Averaging rounds only (sync param-avg), which count the steps.
     */
    ONE_CYCLE("one-cycle");

    private final String label;

    LrSchedule(String label) {
        this.label = label;
    }

    /** The name used on the command line and in config files. */
    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return label;
    }
}
