/** The {@code tributary} command line: thin picocli commands that build a config and hand over to a job. */
package io.tributary.job.cli;
