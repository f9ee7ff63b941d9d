package org.dqwhisper.corpus;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The corpus folder's {@code cache.json}: for each utterance id, the {@link UtterancePlan#cacheKey} its WAV was made
 * from, the SHA-256 of the WAV file and its length in samples. An utterance is reused only when the key matches and
 * the file on disk still has that hash; anything else (missing, changed, different plan) is synthesized again.
 * Entries of utterances not in the current plan are kept, so a smaller run does not forget a larger one.
 */
final class CorpusCache {
    static final String FILE_NAME = "cache.json";
    private static final String FORMAT = "dq-whisper corpus cache 1";
    private static final Logger LOG = LoggerFactory.getLogger(CorpusCache.class);
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    /** One cached WAV. */
    record Entry(String key, String sha256, int samples) {
    }

    private record Stored(String format, Map<String, Entry> entries) {
    }

    private final Path file;
    private final Map<String, Entry> entries;

    private CorpusCache(Path file, Map<String, Entry> entries) {
        this.file = file;
        this.entries = entries;
    }

    /** Reads {@code folder/cache.json}; a missing or unreadable file gives an empty cache. */
    static CorpusCache read(Path folder) {
        Path file = folder.resolve(FILE_NAME);
        Map<String, Entry> entries = new TreeMap<>();
        try {
            Stored stored = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), Stored.class);
            if (stored != null && FORMAT.equals(stored.format()) && stored.entries() != null) {
                entries.putAll(stored.entries());
            } else {
                LOG.warn("{}: not a {} file; rebuilding every utterance", file, FORMAT);
            }
        } catch (NoSuchFileException e) {
            LOG.debug("{}: no cache yet", file);
        } catch (IOException | JsonParseException e) {
            LOG.warn("{}: unreadable ({}); rebuilding every utterance", file, e.getMessage());
        }
        return new CorpusCache(file, entries);
    }

    /** The entry of {@code id} if it was made with {@code key} and {@code wav} still has the recorded hash. */
    synchronized Entry valid(String id, String key, Path wav) throws IOException {
        Entry e = entries.get(id);
        if (e == null || !e.key().equals(key) || !Files.isRegularFile(wav)) {
            return null;
        }
        return UtterancePlan.sha256(Files.readAllBytes(wav)).equals(e.sha256()) ? e : null;
    }

    synchronized void put(String id, Entry entry) {
        entries.put(id, entry);
    }

    synchronized void write() throws IOException {
        AtomicFile.write(file, GSON.toJson(new Stored(FORMAT, new TreeMap<>(entries))).getBytes(StandardCharsets.UTF_8));
    }
}
