package io.tributary.common.store;

import io.tributary.common.InputException;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Model files made by an attacker: each is refused by {@link ModelStore}, both when a model is read
 * and when only its configuration is, with one sentence naming the file, the entry and the rule,
 * and without deserializing, allocating or building anything from the offending entry.
 */
@Tag("security")
class ModelStoreAttackTest {
    private static final int SIDE = 12;
    @TempDir
    static Path tmp;
    static byte[] model;
    static int numParams;

    @BeforeAll
    static void model() throws IOException {
        MultiLayerNetwork net = ModelZipFixtures.seedCnn(SIDE, 10);
        numParams = (int) net.numParams();
        model = ModelZipFixtures.saved(net);
    }

    /** Refused by both ways of reading; returns the message. */
    private static String refused(byte[] zip, String... expected) {
        String message = null;
        for (Function<byte[], Object> reader : List.<Function<byte[], Object>>of(
                b -> ModelStore.read("attack.zip", new ByteArrayInputStream(b)),
                b -> ModelStore.readConfiguration("attack.zip", new ByteArrayInputStream(b)))) {
            InputException e = assertThrows(InputException.class, () -> reader.apply(zip));
            message = e.getMessage();
            assertTrue(message.startsWith("Model file attack.zip"), message);
            for (String s : expected) {
                assertTrue(message.contains(s), "expected <" + s + "> in: " + message);
            }
        }
        return message;
    }

    @Test
    void aPlantedPreprocessorIsRefusedAndNeverDeserialized() throws IOException {
        Path marker = tmp.resolve("spy-ran");
        refused(ModelZipFixtures.withEntry(model, "preprocessor.bin",
                ModelZipFixtures.serialized(new ReadObjectSpy(marker))), "entry \"preprocessor.bin\"",
                "not an entry Tributary writes", "deserialize");
        assertFalse(Files.exists(marker), "readObject of the planted object ran");
    }

    @Test
    void anObjectOfAnUnknownClassIsRefusedUnread() throws IOException {
        String message = refused(ModelZipFixtures.withEntry(model, "preprocessor.bin",
                ModelZipFixtures.serializedMissingClass(tmp.resolve("never"))), "entry \"preprocessor.bin\"");
        assertFalse(message.contains("MissingClass1"), message);
    }

    @Test
    void entriesTributaryDoesNotWriteAreRefused() throws IOException {
        refused(ModelZipFixtures.withEntry(model, "normalizer.bin", new byte[] {1}), "entry \"normalizer.bin\"");
        refused(ModelZipFixtures.withEntry(model, "notes.txt", new byte[] {1}), "entry \"notes.txt\"",
                "only configuration.json, coefficients.bin, noParams.marker, updaterState.bin");
    }

    @Test
    void pathLikeEntryNamesAreRefused() throws IOException {
        for (String name : new String[] {"../evil.sh", "/etc/cron.d/evil", "..\\evil.bat", "sub/configuration.json",
                "C:evil", ".."}) {
            refused(ModelZipFixtures.withEntry(model, name, new byte[] {1}), "entry \"" + name + "\"",
                    "not a plain file name");
        }
    }

    @Test
    void aDuplicateEntryIsRefused() throws IOException {
        byte[] zip = ModelZipFixtures.withDuplicate(model, "coefficients.bin");
        assertEquals(4, new String(zip, StandardCharsets.ISO_8859_1).split("coefficients\\.bin", -1).length - 1,
                "two local headers and two central directory records name it");
        refused(zip, "entry \"coefficients.bin\"", "appears twice");
    }

    @Test
    void anOversizedConfigurationIsRefusedWhileStreaming() throws IOException {
        byte[] padded = ModelZipFixtures.editing(model, "configuration.json", json -> {
            byte[] out = Arrays.copyOf(json, ModelZipReader.MAX_CONFIGURATION_BYTES + 1);
            Arrays.fill(out, json.length, out.length, (byte) ' ');
            return out;
        });
        assertTrue(padded.length < 1 << 20, "a small file: " + padded.length);
        refused(padded, "entry \"configuration.json\"", "larger than 16777216 bytes");
    }

    @Test
    void bytesAfterTheParametersAreRefused() throws IOException {
        refused(ModelZipFixtures.editing(model, "coefficients.bin", c -> Arrays.copyOf(c, c.length + (1 << 20))),
                "entry \"coefficients.bin\"", "bytes");
    }

    @Test
    void aParameterHeaderClaimingMoreValuesThanTheModelHasIsRefusedBeforeAllocating() throws IOException {
        for (long claimed : new long[] {numParams + 1L, 1L << 40}) {
            refused(ModelZipFixtures.editing(model, "coefficients.bin", c -> withDataLength(c, claimed)),
                    "entry \"coefficients.bin\"", "declares " + claimed + " values");
        }
    }

    @Test
    void aShapeThatDoesNotCoverTheValuesIsRefused() throws IOException {
        // shape [1, 10^9] over the real values: ND4J would build a view reaching far past its buffer.
        refused(ModelZipFixtures.editing(model, "coefficients.bin", c -> withShapeDim(c, 1_000_000_000L)),
                "entry \"coefficients.bin\"", "does not describe a contiguous vector");
    }

    @Test
    void theUpdaterStateMustFitTheModel() throws IOException {
        byte[] state = ModelZipFixtures.entries(model).get("updaterState.bin");
        InputException e = assertThrows(InputException.class, () -> ModelStore.read("attack.zip",
                new ByteArrayInputStream(ModelZipFixtures.editing(model, "updaterState.bin",
                        u -> withDataLength(u, 2L * numParams - 1)))));
        assertTrue(e.getMessage().contains("entry \"updaterState.bin\" declares " + (2L * numParams - 1)), e.getMessage());
        assertEquals(2L * numParams, dataLength(state), "Adam keeps two values per parameter");
    }

    @Test
    void aConfigurationNamingAClassOutsideDl4jNd4jAndTributaryIsRefused() throws IOException {
        String gadget = "com.example.Gadget";
        refused(ModelZipFixtures.editing(model, "configuration.json", json -> new String(json, StandardCharsets.UTF_8)
                        .replace("\"org.deeplearning4j.nn.conf.layers.DenseLayer\"", "\"" + gadget + "\"")
                        .getBytes(StandardCharsets.UTF_8)),
                "entry \"configuration.json\"", "names class \"" + gadget + "\"", "org.deeplearning4j.*");
    }

    @Test
    void aDeeplyNestedConfigurationIsRefusedBeforeParsing() throws IOException {
        refused(ModelZipFixtures.editing(model, "configuration.json",
                json -> ("{\"x\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}").getBytes(StandardCharsets.UTF_8)),
                "entry \"configuration.json\"", "nests deeper than 64");
    }

    @Test
    void entriesOutOfOrderOrMissingAreRefused() throws IOException {
        Map<String, byte[]> entries = ModelZipFixtures.entries(model);
        Map<String, byte[]> reordered = new LinkedHashMap<>();
        reordered.put("coefficients.bin", entries.get("coefficients.bin"));
        reordered.put("configuration.json", entries.get("configuration.json"));
        refused(ModelZipFixtures.zip(reordered), "entry \"coefficients.bin\" is out of place");
        entries.remove("coefficients.bin");
        entries.remove("updaterState.bin");
        refused(ModelZipFixtures.zip(entries), "has no coefficients.bin");
        refused("not a zip at all".getBytes(StandardCharsets.UTF_8), "has no configuration.json");
    }

    // Nd4j.write's layout: shape buffer (mode, length, type, values), then data buffer (mode, length, type, values).

    private static int dataHeaderOffset(byte[] array) {
        try {
            var in = new DataInputStream(new ByteArrayInputStream(array));
            in.readUTF();
            long n = in.readLong();
            in.readUTF();
            in.skipNBytes(8 * n);
            return array.length - in.available();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static long dataLength(byte[] array) {
        try {
            var in = new DataInputStream(new ByteArrayInputStream(array, dataHeaderOffset(array), array.length));
            in.readUTF();
            return in.readLong();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] withDataLength(byte[] array, long length) {
        try {
            int at = dataHeaderOffset(array);
            var in = new DataInputStream(new ByteArrayInputStream(array, at, array.length));
            String mode = in.readUTF();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(array, 0, at);
            DataOutputStream data = new DataOutputStream(out);
            data.writeUTF(mode);
            data.writeLong(length);
            int rest = at + 2 + mode.getBytes(StandardCharsets.UTF_8).length + 8;
            data.write(array, rest, array.length - rest);
            return out.toByteArray();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The shape buffer's last dimension replaced (rank 2: [2, 1, n, ...]). */
    private static byte[] withShapeDim(byte[] array, long dim) {
        try {
            var in = new DataInputStream(new ByteArrayInputStream(array));
            String mode = in.readUTF();
            in.readLong();
            String type = in.readUTF();
            int valuesAt = 2 + mode.length() + 8 + 2 + type.length();
            byte[] out = array.clone();
            ByteBuffer.wrap(out).putLong(valuesAt + 2 * 8, dim);
            return out;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aTypeIdInJacksonsArrayFormIsCheckedToo() throws IOException {
        // The updater's {"@class": "...Adam", ...} rewritten as ["java.net.URL", {...}], which Jackson also reads.
        byte[] zip = ModelZipFixtures.editing(model, "configuration.json", json -> {
            try {
                var mapper = new ObjectMapper();
                var tree = mapper.readTree(json);
                var adam = findAdam(tree, mapper);
                assertNotNull(adam, "the configuration names Adam");
                return mapper.writeValueAsBytes(tree);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        assertTrue(new String(ModelZipFixtures.entries(zip).get("configuration.json"), StandardCharsets.UTF_8)
                .contains("[\"java.net.URL\""), "the fixture writes the array form");
        refused(zip, "names class \"java.net.URL\"");
    }

    @Test
    void aDuplicateClassKeyCannotHideAForeignClass() throws IOException {
        // Jackson's tree keeps the last of two keys, its type binding reads the first.
        byte[] zip = ModelZipFixtures.editing(model, "configuration.json", json -> new String(json, StandardCharsets.UTF_8)
                .replaceFirst("\"@class\"\\s*:\\s*\"org\\.deeplearning4j\\.nn\\.conf\\.layers\\.DenseLayer\"",
                        "\"@class\" : \"java.net.URL\", \"@class\" : \"org.deeplearning4j.nn.conf.layers.DenseLayer\"")
                .getBytes(StandardCharsets.UTF_8));
        assertTrue(new String(ModelZipFixtures.entries(zip).get("configuration.json"), StandardCharsets.UTF_8)
                .contains("\"java.net.URL\", \"@class\""), "the fixture has the duplicate key");
        refused(zip, "entry \"configuration.json\"", "is not valid JSON", "@class");
    }

    @Test
    void aTypeIdArrayWithMoreElementsIsCheckedToo() throws IOException {
        // ["java.net.URL", {...}, 1]: Jackson resolves the class before it finds the array too long.
        byte[] zip = ModelZipFixtures.editing(model, "configuration.json", json -> {
            try {
                var mapper = new ObjectMapper();
                var tree = mapper.readTree(json);
                assertNotNull(findAdam(tree, mapper), "the configuration names Adam");
                return mapper.writeValueAsString(tree).replace("[\"java.net.URL\",", "[\"java.net.URL\", 1,")
                        .getBytes(StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        refused(zip, "names class \"java.net.URL\"");
    }

    @Test
    void aConfigurationClaimingAHugeNetworkIsRefusedBeforeAnyAllocation() throws IOException {
        // The dense layer and the output layer's input widened to 1,000,000: over 5e9 parameters.
        byte[] zip = ModelZipFixtures.editing(model, "configuration.json", json -> new String(json,
                StandardCharsets.UTF_8).replaceAll("\"nout\"\\s*:\\s*128\\b", "\"nout\" : 1000000")
                .replaceAll("\"nin\"\\s*:\\s*128\\b", "\"nin\" : 1000000").getBytes(StandardCharsets.UTF_8));
        refused(zip, "more than max-parameters 100,000,000", "nothing was allocated");
    }

    @Test
    void anEntryNameThatIsNotUtf8IsAnInputError() throws IOException {
        byte[] zip = ModelZipFixtures.withEntry(model, "bad\u00e9name", new byte[] {1});
        // The name's UTF-8 bytes for e-acute (C3 A9) made an invalid sequence (C3 28), in both headers.
        byte[] name = "bad\u00e9name".getBytes(StandardCharsets.UTF_8);
        byte[] invalid = name.clone();
        invalid[4] = 0x28;
        refused(ModelZipFixtures.replaceAll(zip, name, invalid), "is not a readable zip");
    }

    /** Rewrites the first {"@class": "...Adam", ...} under {@code node} as ["java.net.URL", {...}]; returns its field. */
    private static String findAdam(JsonNode node,
                                   ObjectMapper mapper) {
        if (node instanceof ObjectNode object) {
            for (var it = object.fields(); it.hasNext(); ) {
                var field = it.next();
                var value = field.getValue();
                if (value.isObject() && value.path("@class").asText().endsWith(".Adam")) {
                    ((ObjectNode) value).remove("@class");
                    object.set(field.getKey(), mapper.createArrayNode().add("java.net.URL").add(value));
                    return field.getKey();
                }
                String found = findAdam(value, mapper);
                if (found != null) return found;
            }
        } else if (node != null && node.isArray()) {
            for (var child : node) {
                String found = findAdam(child, mapper);
                if (found != null) return found;
            }
        }
        return null;
    }
}
