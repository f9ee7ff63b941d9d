package org.dqwhisper.train.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.dqwhisper.audio.AudioLoader;
import org.dqwhisper.audio.LogMelSpectrogram;
import org.dqwhisper.audio.MelSpectrogram;
import org.dqwhisper.whisper.io.SafetensorsFile;
import org.dqwhisper.whisper.io.SafetensorsWriter;
import org.dqwhisper.whisper.io.StorageDType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Log-mel model inputs per audio file, computed on first use by {@link LogMelSpectrogram} and kept in memory up to
 * a byte budget (least recently used out first), and optionally on disk as one safetensors file per utterance.
 * Entries are keyed by the audio file's absolute path, modification time and size, so an edited file is recomputed.
 *
 * <p>The window the model gets is chosen by {@link Framing}; training should use the framing that inference uses, so
 * a short utterance looks the same to the model in both. Thread-safe.
 */
public final class FeatureCache {
    private static final Logger LOG = LoggerFactory.getLogger(FeatureCache.class);
    private static final String FORMAT = "dq-whisper log-mel 1";
    /**
     * Zeros appended before the STFT in {@link Framing#TRANSCRIBE_WINDOW}: every frame whose window touches audio
     * then sees the same zeros as with whisper's 30 s of padding, and the frames left out are all-zero windows that
     * cannot raise the maximum, so the result is bit-identical to {@link LogMelSpectrogram#transcribeFirstWindow}.
     */
    static final int TRANSCRIBE_TAIL_PADDING = 10 * LogMelSpectrogram.HOP_LENGTH;

    /** How an utterance becomes the model's {@code [nMels, 3000]} input. */
    public enum Framing {
        /**
         * whisper.transcribe's window (the default, and what {@code dqw transcribe} feeds): log-mel of the audio
         * followed by 30 s of zeros, the audio's frames kept, then zero frames up to 3000
         * ({@link LogMelSpectrogram#transcribeFirstWindow}).
         */
        TRANSCRIBE_WINDOW,
        /**
         * Audio zero-padded to 30 s, then log-mel; the padding frames hold the log floor
         * ({@link LogMelSpectrogram#audioPaddedInput}, as Hugging Face's feature extractor does).
         */
        PADDED_AUDIO
    }

    /** Counters since construction. */
    public record Stats(long memoryHits, long diskHits, long computed, long bytesInMemory, int entriesInMemory) {
    }

    private record Key(Path audio, long modifiedNanos, long size) {
    }

    private final LogMelSpectrogram front;
    private final Framing framing;
    private final long memoryBudget;
    private final Path diskFolder;
    private final LinkedHashMap<Key, LogMelFeatures> memory = new LinkedHashMap<>(64, 0.75f, true);
    private long bytesInMemory;
    private long memoryHits;
    private long diskHits;
    private long computed;

    /**
     * @param nMels        80 or 128
     * @param framing      see {@link Framing}
     * @param memoryBudget bytes of features kept in memory (0: none)
     * @param diskFolder   folder for the on-disk cache (created), or null for none
     */
    public FeatureCache(int nMels, Framing framing, long memoryBudget, Path diskFolder) {
        if (memoryBudget < 0) {
            throw new IllegalArgumentException("memory budget must be >= 0, got " + memoryBudget);
        }
        this.front = new LogMelSpectrogram(nMels);
        this.framing = framing;
        this.memoryBudget = memoryBudget;
        this.diskFolder = diskFolder;
    }

    public int nMels() {
        return front.nMels();
    }

    public Framing framing() {
        return framing;
    }

    /**
     * The features of {@code audio}.
     *
     * @throws IllegalArgumentException when the audio is longer than Whisper's 30 s window
     */
    public LogMelFeatures get(Path audio) throws IOException {
        Path path = audio.toAbsolutePath().normalize();
        BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
        Key key = new Key(path, attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS), attributes.size());
        synchronized (this) {
            LogMelFeatures hit = memory.get(key);
            if (hit != null) {
                memoryHits++;
                return hit;
            }
        }
        Path file = diskFolder == null ? null : diskFolder.resolve(fileName(key));
        LogMelFeatures features = file == null ? null : readDisk(file, key);
        if (features != null) {
            synchronized (this) {
                diskHits++;
            }
        } else {
            float[] pcm = AudioLoader.load(path);
            if (pcm.length > LogMelSpectrogram.CHUNK_SAMPLES) {
                throw new IllegalArgumentException(path + ": " + pcm.length / (double) LogMelSpectrogram.SAMPLE_RATE
                    + " s is longer than Whisper's 30 s window; split the utterance");
            }
            features = compute(pcm, front, framing);
            synchronized (this) {
                computed++;
            }
            if (file != null) {
                writeDisk(file, key, features);
            }
        }
        remember(key, features);
        return features;
    }

    /** The features of 16 kHz samples under {@code framing}, without caching. */
    public static LogMelFeatures compute(float[] pcm, LogMelSpectrogram front, Framing framing) {
        int content = Math.min(pcm.length / LogMelSpectrogram.HOP_LENGTH, LogMelFeatures.MODEL_FRAMES);
        MelSpectrogram window = switch (framing) {
            case TRANSCRIBE_WINDOW -> front.compute(pcm, TRANSCRIBE_TAIL_PADDING)
                .segment(0, content, LogMelFeatures.MODEL_FRAMES);
            case PADDED_AUDIO -> front.audioPaddedInput(pcm);
        };
        return LogMelFeatures.compact(window, content);
    }

    public synchronized Stats stats() {
        return new Stats(memoryHits, diskHits, computed, bytesInMemory, memory.size());
    }

    private synchronized void remember(Key key, LogMelFeatures features) {
        if (features.bytes() > memoryBudget || memory.containsKey(key)) {
            return;
        }
        memory.put(key, features);
        bytesInMemory += features.bytes();
        Iterator<Map.Entry<Key, LogMelFeatures>> eldest = memory.entrySet().iterator();
        while (bytesInMemory > memoryBudget && eldest.hasNext()) {
            bytesInMemory -= eldest.next().getValue().bytes();
            eldest.remove();
        }
    }

    private String fileName(Key key) {
        String spec = FORMAT + "|" + key.audio() + "|" + key.modifiedNanos() + "|" + key.size() + "|" + front.nMels()
            + "|" + framing;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(spec.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 20) + ".safetensors";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private Map<String, String> metadata(Key key) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("audio", key.audio().toString());
        m.put("modified_nanos", Long.toString(key.modifiedNanos()));
        m.put("size", Long.toString(key.size()));
        m.put("n_mels", Integer.toString(front.nMels()));
        m.put("framing", framing.name());
        return m;
    }

    private LogMelFeatures readDisk(Path file, Key key) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            Map<String, String> meta = st.metadata();
            for (Map.Entry<String, String> e : metadata(key).entrySet()) {
                if (!e.getValue().equals(meta.get(e.getKey()))) {
                    LOG.debug("{}: made for another input ({} differs); recomputing", file, e.getKey());
                    return null;
                }
            }
            long[] shape = st.info("log_mel").shape();
            int stored = (int) shape[1];
            float[] values = new float[front.nMels() * stored];
            st.map("log_mel").asFloatBuffer().get(values);
            return new LogMelFeatures(front.nMels(), stored, Integer.parseInt(meta.get("content_frames")),
                Float.parseFloat(meta.get("fill")), values);
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: unreadable feature cache file ({}); recomputing", file, e.getMessage());
            return null;
        }
    }

    private void writeDisk(Path file, Key key, LogMelFeatures f) throws IOException {
        if (f.storedFrames() == 0) {
            return; // a constant window is cheaper to recompute than an empty tensor is to store
        }
        Files.createDirectories(diskFolder);
        SafetensorsWriter w = new SafetensorsWriter(file);
        metadata(key).forEach(w::metadata);
        w.metadata("content_frames", Integer.toString(f.contentFrames()));
        w.metadata("fill", Float.toString(f.fill()));
        w.add("log_mel", StorageDType.F32, new long[] {f.nMels(), f.storedFrames()}, out -> {
            ByteBuffer b = ByteBuffer.allocate(4 * f.values().length).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(f.values());
            while (b.hasRemaining()) {
                out.write(b);
            }
        });
        w.write();
    }
}
