package io.tributary.common.store;

import io.tributary.common.InputException;
import io.tributary.common.model.KerasModels;
import io.tributary.common.model.Network;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The import process of {@link KerasImport} ({@link ImportProcess} starts it): imports one Keras file
 * with DL4J and the HDF5 native library ({@link KerasModels#read}, which checks it in Java first) and
 * writes the network as a model zip ({@link ModelStore#write}). Its one argument names a UTF-8 file of
 * lines: the file's name for messages, the HDF5 file, the zip to write, the file for a refusal, the
 * fallback learning rate, max-parameters and the time limit in seconds. Exits 0 when the zip is
 * written; {@value #REFUSED} with the refusal's sentence in the refusal file; {@value #OUT_OF_MEMORY}
 * when memory ran out; {@value #TIMED_OUT} when the time limit passed.
 */
public final class KerasImportMain {
    static final int REFUSED = 2;
    static final int OUT_OF_MEMORY = 3;
    static final int TIMED_OUT = 4;
    /** The longest sentence passed back. */
    static final int MAX_MESSAGE = 2000;

    private KerasImportMain() {
    }

    public static void main(String[] args) throws Exception {
        List<String> request = Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8);
        String source = request.get(0);
        Path error = Path.of(request.get(3));
        long seconds = Long.parseLong(request.get(6));
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(seconds * 1000);
            } catch (InterruptedException e) {
                return;
            }
            Runtime.getRuntime().halt(TIMED_OUT);
        }, "import-time-limit");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            Network net = Network.of(KerasModels.read(source, Path.of(request.get(1)), Double.parseDouble(request.get(4)),
                    Long.parseLong(request.get(5))));
            try (OutputStream out = Files.newOutputStream(Path.of(request.get(2)))) {
                ModelStore.write(net, out);
            }
        } catch (InputException e) {
            Files.writeString(error, oneLine(e.getMessage()), StandardCharsets.UTF_8);
            Runtime.getRuntime().halt(REFUSED);
        } catch (OutOfMemoryError e) {
            Runtime.getRuntime().halt(OUT_OF_MEMORY);
        } catch (Throwable e) {
            Files.writeString(error, oneLine(String.valueOf(e)), StandardCharsets.UTF_8);
            Runtime.getRuntime().halt(1);
        }
        Runtime.getRuntime().halt(0);
    }

    /** {@code s} as one line of at most {@link #MAX_MESSAGE} printable characters. */
    static String oneLine(String s) {
        StringBuilder b = new StringBuilder();
        s.strip().codePoints().limit(MAX_MESSAGE).forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
        return b.toString();
    }
}
