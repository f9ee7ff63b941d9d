package org.dqwhisper.decode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.dqwhisper.text.WhisperTokenizer;

/**
 * A {@link SpeechModel} for tests whose logits are scripted functions of the token context and of the window's mel
 * input. Its "encoder" keeps the mel window; its decoder session keeps the token list as its "cache" and calls the
 * script for each requested row. It counts live objects so tests can check that nothing leaks, and it is
 * thread-safe (all state is per session or atomic).
 */
public final class ToyModel implements SpeechModel {
    /** Next-token logits for a context (all tokens so far, starting at position 0) and a window's mel input. */
    @FunctionalInterface
    interface Script {
        float[] logits(int[] context, float[] mel);
    }

    /** Cross-attention scores {@code [heads][tokens][n_audio_ctx]} for word timing. */
    @FunctionalInterface
    interface AttentionScript {
        float[][][] scores(int[] tokens, float[] mel, AlignmentHeads heads, int nAudioCtx);
    }

    static final int N_AUDIO_CTX = 1500;
    static final int N_TEXT_CTX = 448;

    private final WhisperTokenizer tokenizer;
    private final int nMels;
    private final Script script;
    private final AttentionScript attention;
    final AtomicInteger liveAudio = new AtomicInteger();
    final AtomicInteger liveSessions = new AtomicInteger();
    final AtomicInteger sessionsCreated = new AtomicInteger();
    final AtomicInteger encodes = new AtomicInteger();
    final AtomicInteger prefillFeeds = new AtomicInteger();
    /** Every feed that started at position 0 (a window decode's initial tokens, an alignment pass), in order. */
    final List<int[]> prefills = Collections.synchronizedList(new ArrayList<>());

    ToyModel(WhisperTokenizer tokenizer, int nMels, Script script, AttentionScript attention) {
        this.tokenizer = tokenizer;
        this.nMels = nMels;
        this.script = script;
        this.attention = attention;
    }

    ToyModel(WhisperTokenizer tokenizer, Script script) {
        this(tokenizer, 2, script, null);
    }

    /** Logits that are {@code base} everywhere (use -Infinity to allow nothing by default). */
    static float[] filled(int vocab, float base) {
        float[] l = new float[vocab];
        Arrays.fill(l, base);
        return l;
    }

    /** Index of the first token after the start-of-transcript sequence of {@code sotLength} tokens. */
    static int sampleBegin(int[] context, WhisperTokenizer tokenizer, int sotLength) {
        for (int i = 0; i < context.length; i++) {
            if (context[i] == tokenizer.sot()) {
                return i + sotLength;
            }
        }
        throw new IllegalStateException("no <|startoftranscript|> in " + Arrays.toString(context));
    }

    @Override public WhisperTokenizer tokenizer() { return tokenizer; }
    @Override public int nTextCtx() { return N_TEXT_CTX; }
    @Override public int nAudioCtx() { return N_AUDIO_CTX; }
    @Override public int nMels() { return nMels; }
    @Override public int nTextLayer() { return 4; }
    @Override public int nTextHead() { return 6; }

    @Override
    public AudioFeatures encode(float[] mel) {
        if (mel.length != nMels * MelSource.WINDOW_FRAMES) {
            throw new IllegalArgumentException("mel must be " + nMels + " x 3000, got " + mel.length);
        }
        encodes.incrementAndGet();
        liveAudio.incrementAndGet();
        return new Audio(mel.clone());
    }

    @Override
    public DecoderSession startDecoder(AudioFeatures audio) {
        Audio a = (Audio) audio;
        a.check();
        liveSessions.incrementAndGet();
        sessionsCreated.incrementAndGet();
        return new Session(a, new int[0]);
    }

    @Override
    public float[][][] crossAttentionScores(AudioFeatures audio, int[] tokens, AlignmentHeads heads) {
        Audio a = (Audio) audio;
        a.check();
        if (attention == null) {
            throw new UnsupportedOperationException("this toy model has no attention script");
        }
        return attention.scores(tokens.clone(), a.mel, heads, N_AUDIO_CTX);
    }

    private final class Audio implements AudioFeatures {
        final float[] mel;
        private boolean closed;

        Audio(float[] mel) {
            this.mel = mel;
        }

        void check() {
            if (closed) {
                throw new IllegalStateException("audio features used after close");
            }
        }

        @Override
        public int frames() {
            return N_AUDIO_CTX;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                liveAudio.decrementAndGet();
            }
        }
    }

    private final class Session implements DecoderSession {
        private final Audio audio;
        private int[] tokens;
        private boolean closed;

        Session(Audio audio, int[] tokens) {
            this.audio = audio;
            this.tokens = tokens;
        }

        private void check() {
            if (closed) {
                throw new IllegalStateException("session used after close");
            }
            audio.check();
        }

        @Override
        public float[][] feed(int[] newTokens, int... rows) {
            check();
            if (newTokens.length == 0 || tokens.length + newTokens.length > N_TEXT_CTX) {
                throw new IllegalArgumentException("bad feed of " + newTokens.length + " at " + tokens.length);
            }
            if (tokens.length == 0) {
                prefillFeeds.incrementAndGet();
                prefills.add(newTokens.clone());
            }
            int start = tokens.length;
            int[] all = Arrays.copyOf(tokens, start + newTokens.length);
            System.arraycopy(newTokens, 0, all, start, newTokens.length);
            tokens = all;
            float[][] out = new float[rows.length][];
            for (int r = 0; r < rows.length; r++) {
                if (rows[r] < 0 || rows[r] >= newTokens.length || (r > 0 && rows[r] <= rows[r - 1])) {
                    throw new IllegalArgumentException("bad rows " + Arrays.toString(rows));
                }
                out[r] = script.logits(Arrays.copyOf(all, start + rows[r] + 1), audio.mel);
                if (out[r].length != tokenizer.vocabularySize()) {
                    throw new IllegalStateException("script returned " + out[r].length + " logits");
                }
            }
            return out;
        }

        @Override
        public int length() {
            check();
            return tokens.length;
        }

        @Override
        public void rollback(int length) {
            check();
            if (length < 0 || length > tokens.length) {
                throw new IllegalArgumentException("rollback to " + length + " of " + tokens.length);
            }
            tokens = Arrays.copyOf(tokens, length);
        }

        @Override
        public DecoderSession fork() {
            check();
            liveSessions.incrementAndGet();
            sessionsCreated.incrementAndGet();
            return new Session(audio, tokens.clone());
        }

        @Override
        public void copyFrom(DecoderSession other) {
            check();
            Session o = (Session) other;
            o.check();
            if (o.audio != audio) {
                throw new IllegalArgumentException("sessions over different audio");
            }
            tokens = o.tokens.clone();
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                liveSessions.decrementAndGet();
            }
        }
    }
}
