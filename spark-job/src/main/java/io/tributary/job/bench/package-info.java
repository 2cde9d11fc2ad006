/**
 * The benchmarks behind {@code tributary bench} and {@code deploy/bench/*.sh}: throughput, sync modes
 * and time to accuracy against single-process DL4J and the PyTorch peer, the machine's arithmetic
 * ceiling, the op-level profile and the scoring and image-folder helpers. They print tables with
 * ratios against baselines run in the same sitting; no test's pass or fail depends on their numbers.
 */
package io.tributary.job.bench;
