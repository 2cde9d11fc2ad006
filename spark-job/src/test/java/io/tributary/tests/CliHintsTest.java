package io.tributary.tests;

import io.tributary.tests.Cli.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a new user reads when a command is incomplete, and a registry that is missing or empty. */
class CliHintsTest {
    @TempDir
    Path tmp;

    @Test
    void usageHintsNameCommandsThatExist() {
        Run none = Cli.inProcess();
        assertEquals(2, none.code(), none.all());
        assertTrue(none.err().contains("Run 'tributary --help' for usage."), none.all());
        Run list = Cli.inProcess("registry", "list");
        assertEquals(2, list.code(), list.all());
        assertTrue(list.err().contains("Run 'tributary registry list --help' for usage."), list.all());
        assertEquals(0, Cli.inProcess("registry", "list", "--help").code(), "the hinted command exists");
    }

    @Test
    void aMissingRegistryDoesNotExistAndAnEmptyOneHasNoModelsYet() throws Exception {
        Run missing = Cli.inProcess("registry", "--registry", tmp.resolve("nothere").toString(), "list");
        assertEquals(2, missing.code(), missing.all());
        assertTrue(missing.err().contains("does not exist"), missing.all());
        assertFalse(Files.exists(tmp.resolve("nothere")));

        Files.createDirectory(tmp.resolve("empty"));
        Run empty = Cli.inProcess("registry", "--registry", tmp.resolve("empty").toString(), "list");
        assertEquals(0, empty.code(), empty.all());
        assertTrue(empty.out().contains("has no models yet"), empty.all());
    }

    @Test
    void retrainWithMissingDataCreatesNoRegistry() {
        Path registry = tmp.resolve("registry");
        Run r = Cli.inProcess("retrain", "--registry", registry.toString(), "--data", tmp.resolve("nodata").toString(),
                "--master", "local[1]");
        assertEquals(2, r.code(), r.all());
        assertTrue(r.err().contains("does not exist"), r.all());
        assertFalse(Files.exists(registry), "an empty registry skeleton was left behind");
        Run list = Cli.inProcess("registry", "--registry", registry.toString(), "list");
        assertEquals(2, list.code(), list.all());
        assertTrue(list.err().contains("does not exist"), list.all());
    }
}
