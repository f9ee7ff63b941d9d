package org.dqwhisper.cli;

import java.util.Objects;

/**
 * Where the CLI finds the model loader and the audio front end. The application installs both at start-up
 * (before {@link Main#run}); commands that need them fail with a clear message otherwise.
 */
public final class SpeechModels {
    private static volatile SpeechModelLoader loader;
    private static volatile AudioFrontEnd audio;

    private SpeechModels() {}

    /** Installs (or replaces) the model loader and the audio front end. */
    public static void install(SpeechModelLoader modelLoader, AudioFrontEnd frontEnd) {
        loader = Objects.requireNonNull(modelLoader, "modelLoader");
        audio = Objects.requireNonNull(frontEnd, "frontEnd");
    }

    /** Removes both (for tests). */
    /** Installs {@code modelLoader} and {@code frontEnd} unless something is installed already. */
    public static synchronized void installIfAbsent(SpeechModelLoader modelLoader, AudioFrontEnd frontEnd) {
        if (loader == null && audio == null) install(modelLoader, frontEnd);
    }

    public static void clear() {
        loader = null;
        audio = null;
    }

    /** @throws IllegalStateException when nothing was installed */
    public static SpeechModelLoader loader() {
        SpeechModelLoader l = loader;
        if (l == null) {
            throw new IllegalStateException("no Whisper model loader is installed in this build "
                    + "(SpeechModels.install was not called)");
        }
        return l;
    }

    /** @throws IllegalStateException when nothing was installed */
    public static AudioFrontEnd audio() {
        AudioFrontEnd a = audio;
        if (a == null) {
            throw new IllegalStateException("no audio front end is installed in this build "
                    + "(SpeechModels.install was not called)");
        }
        return a;
    }
}
