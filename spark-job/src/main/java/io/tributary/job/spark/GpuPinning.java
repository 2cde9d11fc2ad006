package io.tributary.job.spark;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;

/**
 * Restricts ND4J's CUDA backend to the GPUs Spark assigned to this executor, so executors sharing a
 * host do not all compute on device 0. Uses ND4J's CUDA configuration by reflection: its classes
 * exist only in the jar built with {@code -Pcuda}; with the CPU backend this does nothing.
 */
final class GpuPinning {
    private static final Logger log = LoggerFactory.getLogger(GpuPinning.class);
    static final String CUDA_ENVIRONMENT = "org.nd4j.jita.conf.CudaEnvironment";

    private GpuPinning() {
    }

    /** @param addresses the executor's GPU addresses from Spark's resource scheduling */
    static boolean pin(String[] addresses) {
        if (addresses == null || addresses.length == 0) return false;
        Class<?> environment;
        try {
            environment = Class.forName(CUDA_ENVIRONMENT);
        } catch (ClassNotFoundException cpuBuild) {
            log.warn("Spark assigned GPUs {} but this is the CPU build of Tributary; they stay unused",
                    Arrays.toString(addresses));
            return false;
        }
        int[] devices = Arrays.stream(addresses).mapToInt(a -> Integer.parseInt(a.trim())).toArray();
        try {
            Object instance = environment.getMethod("getInstance").invoke(null);
            Object configuration = environment.getMethod("getConfiguration").invoke(instance);
            configuration.getClass().getMethod("useDevices", int[].class).invoke(configuration, (Object) devices);
            configuration.getClass().getMethod("allowMultiGPU", boolean.class).invoke(configuration, devices.length > 1);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Cannot restrict ND4J to GPUs " + Arrays.toString(devices), e);
        }
        log.info("ND4J restricted to GPU(s) {} assigned by Spark", Arrays.toString(devices));
        return true;
    }
}
