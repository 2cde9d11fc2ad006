/** Retraining into a model registry: train a challenger, compare it with the champion on a holdout, decide, record. */
package io.tributary.job.registry;
