package org.dqwhisper.corpus;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Seeds derived from a master seed and a path of names ("de", "utterance", 17): the first 8 bytes of SHA-256 over
 * their text. Every random choice of the corpus draws from its own derived seed, so choices do not depend on the
 * order work happens in (threads), and adding a language does not change the others.
 */
public final class DerivedSeed {
    private DerivedSeed() {
    }

    /** A 64-bit seed for {@code parts} under {@code seed}. */
    public static long of(long seed, Object... parts) {
        StringBuilder path = new StringBuilder(Long.toString(seed));
        for (Object part : parts) {
            path.append('/').append(part);
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(path.toString().getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
