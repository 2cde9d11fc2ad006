/** The training run: data caching on executors, the training master, the epoch loop, progress and publishing. */
package io.tributary.job.train;
