package io.tributary.tests;

import io.tributary.job.spark.SessionSettings;
import io.tributary.job.spark.TributaryKryoRegistrator;
import io.tributary.job.spark.TributaryPlugin;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What a Spark session that Tributary did not start must have before a Spark ML fit trains in it. */
class SessionSettingsTest {
    @Test
    void aBareSessionLacksTheSerializerSettingsAndForSharedGradientsThePlugin() {
        SparkConf bare = new SparkConf(false);
        assertEquals(List.of("spark.serializer=org.apache.spark.serializer.KryoSerializer",
                "spark.kryo.registrator=" + TributaryKryoRegistrator.class.getName()), SessionSettings.missing(bare, false));
        assertEquals(4, SessionSettings.missing(bare, true).size());
    }

    @Test
    void theSettingsAreEnoughAndOtherRegistratorsAndPluginsMayStand() {
        SparkConf conf = new SparkConf(false);
        SessionSettings.all().forEach(conf::set);
        assertEquals(List.of(), SessionSettings.missing(conf, true));
        conf.set("spark.kryo.registrator", "com.example.Theirs, " + TributaryKryoRegistrator.class.getName());
        conf.set("spark.plugins", TributaryPlugin.class.getName() + ",com.example.Plugin");
        assertEquals(List.of(), SessionSettings.missing(conf, true));
        conf.set("spark.kryo.registrator", "com.example.Theirs");
        assertEquals(List.of("spark.kryo.registrator=" + TributaryKryoRegistrator.class.getName()),
                SessionSettings.missing(conf, false));
    }
}
