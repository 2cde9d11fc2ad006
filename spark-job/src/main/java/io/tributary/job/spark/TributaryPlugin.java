package io.tributary.job.spark;

import io.tributary.job.shared.AeronSettings;
import org.apache.spark.SparkConf;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;
import org.apache.spark.resource.ResourceInformation;

import java.util.Map;

/**
 * Prepares each executor JVM when it starts, before any task: pins ND4J's CUDA backend to the GPUs
 * Spark assigned to the executor, and puts the Aeron settings of shared-gradient training in place
 * before Aeron's classes load. Tributary's SparkConf always registers it.
 */
public final class TributaryPlugin implements SparkPlugin {
    /** Set by the driver when the job trains with shared gradients: the Aeron directory base. */
    public static final String AERON_DIR_CONF = "spark.tributary.aeronDir";

    @Override
    public DriverPlugin driverPlugin() {
        return null;
    }

    @Override
    public ExecutorPlugin executorPlugin() {
        return new ExecutorPlugin() {
            @Override
            public void init(PluginContext ctx, Map<String, String> extraConf) {
                ResourceInformation gpus = ctx.resources().get("gpu");
                if (gpus != null) {
                    GpuPinning.pin(gpus.addresses());
                }
                if (ctx.conf().contains(AERON_DIR_CONF)) {
                    AeronSettings.apply(ctx.conf().get(AERON_DIR_CONF));
                }
            }
        };
    }

    /** Adds this plugin to a configuration's {@code spark.plugins}, keeping any the user set. */
    public static void register(SparkConf conf) {
        String existing = conf.get("spark.plugins", "").trim();
        String name = TributaryPlugin.class.getName();
        if (!existing.contains(name)) {
            conf.set("spark.plugins", existing.isEmpty() ? name : existing + "," + name);
        }
    }
}
