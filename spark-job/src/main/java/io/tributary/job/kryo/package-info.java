/**
 * What each part of the job declares it sends through Spark's Kryo; depends on no other package of
 * Tributary's, so every part can declare its classes and the registrator can find them.
 */
package io.tributary.job.kryo;
