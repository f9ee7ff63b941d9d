package org.dqwhisper.decode;

/**
 * One autoregressive decoder run over one window's {@link AudioFeatures}: the key/value cache of the tokens fed so
 * far (self-attention) plus the cached cross-attention keys and values of the audio. A session is used by one
 * thread at a time; the model behind it is shared.
 *
 * <p>Beam search and best-of-N keep one session per hypothesis and move caches between them with
 * {@link #fork()} and {@link #copyFrom(DecoderSession)}; the temperature fallback re-decodes from the prompt with
 * {@link #rollback(int)}. Every session must be closed; the decoders in this package close all the sessions they
 * create, also on exceptions.
 */
public interface DecoderSession extends AutoCloseable {
    /**
     * Appends {@code tokens} to the context (positions {@code length() .. length() + tokens.length - 1}) and
     * returns the logits at the requested rows.
     *
     * @param tokens the new tokens, at least one; {@code length() + tokens.length} must not exceed
     *     {@code n_text_ctx}
     * @param rows indices into {@code tokens} (0-based, ascending, each {@code < tokens.length}) whose logits to
     *     return; may be empty, then only the cache is extended. Row {@code r}'s logits are the next-token logits
     *     after the context up to and including {@code tokens[r]}.
     * @return {@code rows.length} arrays of {@code n_vocab} raw logits, freshly allocated (the caller may modify
     *     them)
     */
    float[][] feed(int[] tokens, int... rows);

    /** Number of tokens in the context (the cache length). */
    int length();

    /**
     * Forgets every position from {@code length} on, so the next {@link #feed} continues at {@code length}.
     *
     * @throws IllegalArgumentException when {@code length} is negative or larger than {@link #length()}
     */
    void rollback(int length);

    /** A new, independent session over the same audio with a copy of this one's cache. */
    DecoderSession fork();

    /**
     * Replaces this session's cache by a copy of {@code other}'s (same model and audio features), reusing this
     * session's memory. After it, {@code length() == other.length()}.
     *
     * @throws IllegalArgumentException when {@code other} belongs to another model or audio
     */
    void copyFrom(DecoderSession other);

    /** Releases the cache. Closing twice is harmless; any other use after close throws IllegalStateException. */
    @Override
    void close();
}
