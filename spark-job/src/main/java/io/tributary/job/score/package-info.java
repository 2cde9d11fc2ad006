/**
 * Scoring ({@code tributary predict}): the model's configuration and parameters are broadcast once,
 * each executor JVM builds the network once ({@link io.tributary.job.score.ExecutorNetworks}), tasks
 * score their own partitions in minibatches ({@link io.tributary.job.score.Scorer}), and the
 * predictions are written to a temporary directory that is renamed into place when complete
 * ({@link io.tributary.job.score.PredictionOutput}).
 */
package io.tributary.job.score;
