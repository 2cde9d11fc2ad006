/**
 * Reading data where it lies: each format ({@link io.tributary.job.read.DataSource}) becomes rows of
 * one example each ({@link io.tributary.job.read.ExampleRows}) computed by executors, which are then
 * cut into compact batches and cached on the executors. The driver lists files and reads schemas and
 * headers, never examples.
 */
package io.tributary.job.read;
