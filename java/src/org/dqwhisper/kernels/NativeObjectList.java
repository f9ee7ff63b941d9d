package org.dqwhisper.kernels;

import java.util.ArrayList;
import org.bytedeco.javacpp.Pointer;

/**
 * The JavaCPP objects (oneDNN descriptors, attributes, memories, primitives, argument maps) one owner
 * created; {@link #close()} releases them in reverse creation order, exactly once.
 */
final class NativeObjectList implements AutoCloseable {
    private final ArrayList<Pointer> owned = new ArrayList<>();

    /** Registers {@code p} for release and returns it. */
    <T extends Pointer> T add(T p) {
        if (p != null) owned.add(p);
        return p;
    }

    int size() {
        return owned.size();
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        owned.clear();
        if (first != null) throw first;
    }
}
