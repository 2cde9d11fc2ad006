package io.tributary.common.store;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A serializable object that leaves a file behind when Java deserialization runs its
 * {@code readObject}: planted in a model file, it shows whether loading ran code from the file.
 */
public final class ReadObjectSpy implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String marker;

    public ReadObjectSpy(Path marker) {
        this.marker = marker.toString();
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        Files.writeString(Path.of(marker), "readObject ran");
    }
}
