package io.tributary.common.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ConfigLoaderTest {
    @TempDir
    Path tmp;

    private static Map<String, Object> required() {
        Map<String, Object> m = new HashMap<>();
        m.put("data", "/d");
        m.put("output", "/o");
        return m;
    }

    @Test
    void everyKeysDefaultApplyWhenNothingIsGiven() {
        Map<String, Object> loaded = ConfigLoader.load(null, required()).asMap();
        assertEquals(TrainKeys.ALL.size(), loaded.size(), "asMap lists every key");
        for (ConfigKey<?> key : TrainKeys.ALL) {
            if (key == TrainKeys.DATA || key == TrainKeys.OUTPUT) continue;
            assertTrue(loaded.containsKey(key.name()), key.name());
            Object value = loaded.get(key.name());
            assertEquals(defaultText(key), value == null ? null : formatted(key, value), key.name());
        }
    }

    @Test
    void theLearningRatesDefaultIsTheSyncModes() {
        assertEquals(0.01, ConfigLoader.load(null, required()).learningRate());
        Map<String, Object> shared = required();
        shared.put("sync", "shared-gradients");
        assertEquals(0.001, ConfigLoader.load(null, shared).learningRate());
        shared.put("learning-rate", 0.002);
        assertEquals(0.002, ConfigLoader.load(null, shared).learningRate(), "a given rate wins");
        assertEquals("by sync: param-avg 0.01, shared-gradients 0.001, dl4j-param-avg 0.003",
                TrainKeys.LEARNING_RATE.formattedDefault(), "--help and tributary config show the defaults by sync mode");
    }

    @Test
    void theScheduleIsOneCycleForAveragingRoundsAndOnlyThere() {
        assertEquals(LrSchedule.ONE_CYCLE, ConfigLoader.load(null, required()).lrSchedule());
        Map<String, Object> constant = required();
        constant.put("lr-schedule", "constant");
        assertEquals(LrSchedule.CONSTANT, ConfigLoader.load(null, constant).lrSchedule());
        Map<String, Object> shared = required();
        shared.put("sync", "shared-gradients");
        assertEquals(LrSchedule.CONSTANT, ConfigLoader.load(null, shared).lrSchedule(), "DL4J's masters count no steps");
        shared.put("lr-schedule", "one-cycle");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(null, shared));
        assertTrue(e.getMessage().contains("lr-schedule") && e.getMessage().contains("one-cycle")
                && e.getMessage().contains("must be constant with sync shared-gradients"), e.getMessage());
        Map<String, Object> bad = required();
        bad.put("lr-schedule", "cosine");
        e = assertThrows(ConfigException.class, () -> ConfigLoader.load(null, bad));
        assertTrue(e.getMessage().contains("must be one of constant, one-cycle"), e.getMessage());
        assertEquals("by sync: param-avg one-cycle, shared-gradients constant, dl4j-param-avg constant",
                TrainKeys.LR_SCHEDULE.formattedDefault());
    }

    /** The default a key takes when nothing is given, as the key writes it ({@code null}: none). */
    private static <T> String defaultText(ConfigKey<T> key) {
        T value = key.defaultIn(required());
        return value == null ? null : key.format(value);
    }

    /** A value of asMap written as the key writes it (asMap holds enums by their label). */
    private static <T> String formatted(ConfigKey<T> key, Object value) {
        return key.type().isInstance(value) ? key.format(key.type().cast(value)) : String.valueOf(value);
    }

    @Test
    void flagsOverrideTheFile() throws IOException {
        Path file = Files.writeString(tmp.resolve("job.yaml"), """
                data: hdfs://nn:8020/mnist
                output: /runs/a
                epochs: 3
                learning-rate: 0.01
                seed: 7
                sync: param-avg
                """);
        Map<String, Object> flags = new HashMap<>();
        flags.put("epochs", 5);
        flags.put("master", null);
        TrainConfig c = ConfigLoader.load(file, flags);
        assertEquals("hdfs://nn:8020/mnist", c.data());
        assertEquals(5, c.epochs());
        assertEquals(0.01, c.learningRate());
        assertEquals(7L, c.seed());
    }

    @Test
    void badValuesNameKeyValueAndRule() {
        Map<String, Object> m = required();
        m.put("epochs", -3);
        assertEquals("Invalid value -3 for configuration epochs: must be between 1 and 10000",
                assertThrows(ConfigException.class, () -> ConfigLoader.load(null, m)).getMessage());
        m.put("epochs", 0);
        assertThrows(ConfigException.class, () -> ConfigLoader.load(null, m));
        m.put("epochs", 1);
        m.put("sync", "gossip");
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.load(null, m)).getMessage()
                .startsWith("Invalid value \"gossip\" for configuration sync: must be one of param-avg"));
        m.put("sync", "param-avg");
        m.put("learning-rate", 0.0);
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.load(null, m)).getMessage()
                .startsWith("Invalid value 0.0 for configuration learning-rate: must be > 0.0"));
    }

    @Test
    void missingRequiredKeyIsNamed() {
        Map<String, Object> m = required();
        m.remove("output");
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.load(null, m)).getMessage()
                .startsWith("Missing required configuration output"));
    }

    @Test
    void fileProblemsNameTheFile() throws IOException {
        Path unknown = Files.writeString(tmp.resolve("u.yaml"), "epochz: 3\n");
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.load(unknown, required())).getMessage()
                .startsWith("Unknown configuration key epochz in " + unknown));
        Path typed = Files.writeString(tmp.resolve("t.yaml"), "epochs: three\n");
        assertEquals("Invalid value \"three\" for configuration epochs: must be between 1 and 10000",
                assertThrows(ConfigException.class, () -> ConfigLoader.load(typed, required())).getMessage());
        Path broken = Files.writeString(tmp.resolve("b.yaml"), "epochs: [1\n");
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.load(broken, required())).getMessage()
                .startsWith("Config file " + broken + " is not valid YAML"));
        Path missing = tmp.resolve("missing.yaml");
        assertEquals("Config file " + missing + " does not exist",
                assertThrows(ConfigException.class, () -> ConfigLoader.load(missing, required())).getMessage());
    }

    @Test
    void sharedGradientSettingsHaveDefaultsAndRules() {
        TrainConfig c = ConfigLoader.load(null, required());
        assertEquals(TrainKeys.SHARED_PORT.defaultValue(), c.shared().port());
        assertEquals(PortRange.parse(TrainKeys.SHARED_WORKER_PORTS.defaultValue()), c.shared().workerPortRange());
        assertEquals(TrainKeys.SHARED_THRESHOLD_ALGORITHM.defaultValue(), c.shared().thresholdAlgorithm());
        assertEquals(TrainKeys.SHARED_WORKERS_PER_NODE.defaultValue(), c.shared().workersPerNode());
        assertNull(c.shared().networkMask());
        assertEquals("shared-gradients", ConfigLoader.load(null, with("sync", "shared-gradients")).sync().label());

        assertEquals("Invalid value \"10.0.0.0/33\" for configuration shared-network-mask: must be an IPv4 network like 10.0.0.0/16",
                assertThrows(ConfigException.class, () -> ConfigLoader.load(null, with("shared-network-mask", "10.0.0.0/33"))).getMessage());
        assertThrows(ConfigException.class, () -> ConfigLoader.load(null, with("shared-network-mask", "300.1.1.0/24")));
        assertEquals("Invalid value \"9-3\" for configuration shared-worker-ports: must be FIRST-LAST with 1 <= FIRST <= LAST <= 65535",
                assertThrows(ConfigException.class, () -> ConfigLoader.load(null, with("shared-worker-ports", "9-3"))).getMessage());
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.load(null, with("shared-port", "40130")))
                .getMessage().contains("shared-worker-ports: must not contain shared-port (40130)"));
        Map<String, Object> sparsity = with("shared-min-sparsity", "0.5");
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.load(null, sparsity)).getMessage()
                .contains("must not exceed shared-max-sparsity"));
        assertThrows(ConfigException.class, () -> ConfigLoader.load(null, with("shared-threshold-algorithm", "magic")));
        assertThrows(ConfigException.class, () -> ConfigLoader.load(null, with("shared-residual-clip", "-1")));
    }

    private static Map<String, Object> with(String key, Object value) {
        Map<String, Object> m = required();
        m.put(key, value);
        return m;
    }

    @Test
    void aKeysFormerNameIsStillReadFromFilesAndSavedConfigs() throws IOException {
        Path file = Files.writeString(tmp.resolve("old.yaml"), "data: /d\noutput: /o\ncheckpoint-every-rounds: 7\n");
        assertEquals(7, ConfigLoader.load(file, Map.of()).checkpointEverySteps());
        Map<String, Object> saved = new HashMap<>(required());
        saved.put("checkpoint-every-rounds", 4);
        assertEquals(4, ConfigLoader.load(saved, null, Map.of()).checkpointEverySteps());
        saved.put("checkpoint-every-steps", 5);
        assertEquals(5, ConfigLoader.load(saved, null, Map.of()).checkpointEverySteps(), "the current name wins");
    }
}
