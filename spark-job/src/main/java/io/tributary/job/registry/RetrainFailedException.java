package io.tributary.job.registry;

/** Retraining itself failed (not the input): {@code tributary retrain} exits with 3. */
public final class RetrainFailedException extends RuntimeException {
    public RetrainFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
