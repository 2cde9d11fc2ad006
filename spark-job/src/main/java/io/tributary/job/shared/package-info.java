/**
 * Shared-gradient training (DL4J's SharedTrainingMaster over Aeron UDP): the Aeron settings every
 * JVM needs, a pre-flight check that each executor can reach the driver's controller port, and
 * the training master built from a job's config.
 */
package io.tributary.job.shared;
