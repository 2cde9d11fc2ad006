package io.tributary.common.registry;

import io.tributary.common.InputException;
import io.tributary.common.io.HadoopFs;
import io.tributary.common.store.ModelStore;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Version numbers come from files anyone with write access can edit: directory names, the champion
 * pointer and the history. Each is read strictly; a bad one is an input error naming the file, the
 * value and the rule, never a wrapped-around int or a NumberFormatException.
 */
class ModelRegistryNumbersTest {
    @TempDir
    Path tmp;

    private ModelRegistry registry(int... complete) throws Exception {
        ModelRegistry reg = ModelRegistry.open(HadoopFs.resolve("registry", tmp.toString(), new Configuration()), true);
        for (int v : complete) {
            Path dir = Files.createDirectories(tmp.resolve(ModelRegistry.MODELS).resolve(ModelRegistry.name(v)));
            Files.writeString(dir.resolve(ModelStore.MODEL_FILE), "model");
        }
        return reg;
    }

    private void pointer(String json) throws Exception {
        Files.writeString(tmp.resolve(ModelRegistry.CHAMPION), json + "\n");
    }

    private void history(String... lines) throws Exception {
        Files.writeString(tmp.resolve(ModelRegistry.HISTORY), String.join("\n", lines) + "\n");
    }

    private static void assertRefused(Runnable r, String... parts) {
        InputException e = assertThrows(InputException.class, r::run);
        for (String p : parts) assertTrue(e.getMessage().contains(p), "\"" + p + "\" not in: " + e.getMessage());
    }

    @Test
    void aWellFormedRegistryReadsAsWritten() throws Exception {
        ModelRegistry reg = registry(1, 2);
        reg.setChampion(2, ModelRegistry.PROMOTE);
        reg.append(HistoryEntry.action(ModelRegistry.PROMOTE, 2, OptionalInt.of(1), "by an operator", "ops"));
        assertEquals(List.of(1, 2), reg.versions());
        assertEquals(2, reg.champion().getAsInt());
        assertEquals(3, reg.nextVersion());
        assertEquals(List.of(2), reg.championStack());
    }

    @Test
    void aPointerBeyondIntIsRefusedNotWrappedAround() throws Exception {
        ModelRegistry reg = registry(1);
        pointer("{\"version\": 4294967297}");   // 2^32 + 1: intValue() would make it version 1
        assertRefused(reg::champion, "champion", "4294967297", "000001 to 999999");
    }

    @Test
    void aPointerThatIsNotAWholeNumberIsRefused() throws Exception {
        ModelRegistry reg = registry(1);
        for (String v : List.of("1.5", "\"1\"", "0", "-3", "1e3", "true")) {
            pointer("{\"version\": " + v + "}");
            String shown = v.equals("1e3") ? "1000.0" : v.replace("\"", "");   // JSON reads 1e3 as a fraction
            assertRefused(reg::champion, "champion", shown, "000001 to 999999");
        }
    }

    @Test
    void aPointerToAMissingVersionIsRefused() throws Exception {
        ModelRegistry reg = registry(1);
        pointer("{\"version\": 7}");
        assertRefused(reg::champion, "champion", "000007", "registry promote");
        assertEquals(7, reg.championPointer().getAsInt(), "an operator can still see and replace it");
    }

    @Test
    void aHistoryVersionBeyondIntIsRefusedWithItsLine() throws Exception {
        ModelRegistry reg = registry(1);
        history("{\"event\": \"promote\", \"version\": 1}", "{\"event\": \"promote\", \"version\": 4294967297}");
        assertRefused(reg::history, "Line 2", ModelRegistry.HISTORY, "4294967297", "000001 to 999999");
        assertRefused(reg::nextVersion, "Line 2");
    }

    @Test
    void otherVersionFieldsOfTheHistoryAreCheckedToo() throws Exception {
        ModelRegistry reg = registry(1);
        history("{\"event\": \"rollback\", \"version\": 1, \"champion_before\": -2}");
        assertRefused(reg::history, "Line 1", "champion_before", "-2");
    }

    @Test
    void aHugeNumericDirectoryNameIsRefusedNotAnException() throws Exception {
        ModelRegistry reg = registry(1);
        Files.createDirectories(tmp.resolve(ModelRegistry.MODELS).resolve("99999999999"));
        assertRefused(reg::versions, "99999999999", "six digits");
    }

    @Test
    void aSevenDigitDirectoryNameIsRefused() throws Exception {
        ModelRegistry reg = registry(1);
        Files.createDirectories(tmp.resolve(ModelRegistry.MODELS).resolve("0000002"));
        assertRefused(reg::versions, "0000002", "six digits");
        Files.delete(tmp.resolve(ModelRegistry.MODELS).resolve("0000002"));
        Files.createDirectories(tmp.resolve(ModelRegistry.MODELS).resolve("000000"));
        assertRefused(reg::versions, "000000", "six digits");
    }

    @Test
    void aFullRegistryIsSaidSo() throws Exception {
        ModelRegistry reg = registry(999999);
        assertRefused(reg::nextVersion, "999999");
    }

    @Test
    void operatorVersionsAreRangeChecked() {
        assertEquals(3, ModelRegistry.parseVersion("000003"));
        assertRefused(() -> ModelRegistry.parseVersion("4294967297"), "4294967297");
        assertRefused(() -> ModelRegistry.parseVersion("1000000"), "1000000");
    }
}
