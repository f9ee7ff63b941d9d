package org.dqwhisper.audio;

import java.nio.file.Path;

/** Run in a child JVM by {@link FfmpegAudioDecoderTest}: loads the file given and prints what happened. */
public final class FfmpegLoadProbe {
    private FfmpegLoadProbe() {
    }

    public static void main(String[] args) {
        try {
            float[] pcm = AudioLoader.load(Path.of(args[0]));
            System.out.println("LOADED " + pcm.length);
        } catch (Throwable t) {
            System.out.println("THROWN " + t.getClass().getName() + ": " + t.getMessage());
        }
    }
}
