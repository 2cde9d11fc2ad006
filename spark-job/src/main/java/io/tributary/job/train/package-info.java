/**
 * The training run: the data dealt to replicas and cached on executors, parameter averaging's rounds
 * (and DL4J's training masters for shared gradients), the epoch loop, checkpoints, progress and
 * publishing.
 */
package io.tributary.job.train;
