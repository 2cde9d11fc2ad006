/** Spark configuration and per-executor setup shared by every Tributary job. */
package io.tributary.job.spark;
