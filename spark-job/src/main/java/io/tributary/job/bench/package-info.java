/** Baselines for the benchmark: single-process DL4J and the machine's arithmetic ceiling. */
package io.tributary.job.bench;
