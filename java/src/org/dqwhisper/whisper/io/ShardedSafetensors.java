package org.dqwhisper.whisper.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dqwhisper.tensor.Tensor;

/**
 * A Hugging Face sharded checkpoint: {@code model.safetensors.index.json} with a {@code weight_map}
 * from tensor name to shard file name, shards in the same folder. Every listed tensor must be in
 * its shard, and every shard tensor must be listed for that shard.
 */
public final class ShardedSafetensors implements TensorArchive {
    private final Path indexFile;
    private final Map<String, SafetensorsFile> byTensor;
    private final List<SafetensorsFile> shards;
    private final Map<String, String> metadata;

    private ShardedSafetensors(Path indexFile, Map<String, SafetensorsFile> byTensor, List<SafetensorsFile> shards,
                               Map<String, String> metadata) {
        this.indexFile = indexFile;
        this.byTensor = Collections.unmodifiableMap(byTensor);
        this.shards = List.copyOf(shards);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    public static ShardedSafetensors open(Path indexFile) throws IOException {
        JsonObject index;
        try {
            JsonElement root = JsonParser.parseString(WhisperConfigJson.readUtf8(indexFile));
            if (!root.isJsonObject()) throw new CheckpointFormatException(indexFile, "index is not a JSON object");
            index = root.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new CheckpointFormatException(indexFile, "malformed index JSON: " + e.getMessage(), e);
        }
        JsonElement weightMap = index.get("weight_map");
        if (weightMap == null || !weightMap.isJsonObject()) {
            throw new CheckpointFormatException(indexFile, "index has no 'weight_map' object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        JsonElement meta = index.get("metadata");
        if (meta != null && meta.isJsonObject()) {
            for (Map.Entry<String, JsonElement> m : meta.getAsJsonObject().entrySet()) {
                metadata.put(m.getKey(), m.getValue().isJsonPrimitive() ? m.getValue().getAsString() : m.getValue().toString());
            }
        }
        Path folder = indexFile.toAbsolutePath().getParent();
        Map<String, SafetensorsFile> openShards = new LinkedHashMap<>();
        Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, JsonElement> w : weightMap.getAsJsonObject().entrySet()) {
                String tensor = w.getKey();
                if (!w.getValue().isJsonPrimitive() || !w.getValue().getAsJsonPrimitive().isString()) {
                    throw new CheckpointFormatException(indexFile, tensor, "weight_map value is not a file name");
                }
                String shardName = w.getValue().getAsString();
                SafetensorsFile shard = openShards.get(shardName);
                if (shard == null) {
                    shard = SafetensorsFile.open(resolveShard(indexFile, folder, tensor, shardName));
                    openShards.put(shardName, shard);
                }
                if (!shard.has(tensor)) {
                    throw new CheckpointFormatException(shard.file(), tensor, "listed in " + indexFile.getFileName() + " but not in this shard");
                }
                byTensor.put(tensor, shard);
            }
            for (SafetensorsFile shard : openShards.values()) {
                for (String tensor : shard.names()) {
                    if (byTensor.get(tensor) != shard) {
                        throw new CheckpointFormatException(shard.file(), tensor, "is in this shard but "
                                + (byTensor.containsKey(tensor) ? "the index maps it to " + byTensor.get(tensor).file().getFileName()
                                : "not listed in " + indexFile.getFileName()));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            for (SafetensorsFile s : openShards.values()) s.close();
            throw e;
        }
        return new ShardedSafetensors(indexFile, byTensor, new ArrayList<>(openShards.values()), metadata);
    }

    private static Path resolveShard(Path indexFile, Path folder, String tensor, String shardName) throws CheckpointFormatException {
        Path p = folder.resolve(shardName).normalize();
        if (shardName.isEmpty() || !p.getParent().equals(folder.normalize())) {
            throw new CheckpointFormatException(indexFile, tensor, "shard name '" + shardName + "' is not a file in the index's folder");
        }
        if (!Files.isRegularFile(p)) {
            throw new CheckpointFormatException(indexFile, tensor, "shard file " + p + " does not exist");
        }
        return p;
    }

    @Override
    public Path file() {
        return indexFile;
    }

    @Override
    public Set<String> names() {
        return byTensor.keySet();
    }

    @Override
    public TensorInfo info(String name) {
        return shard(name).info(name);
    }

    @Override
    public Path fileOf(String name) {
        return shard(name).file();
    }

    /** The index's {@code metadata} (e.g. {@code total_size}), values as strings. */
    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The shard files, in the order the index first names them. */
    public List<SafetensorsFile> shards() {
        return shards;
    }

    @Override
    public Tensor readF32(String name, String tensorName) throws IOException {
        return shard(name).readF32(name, tensorName);
    }

    @Override
    public Tensor readRaw(String name, String tensorName) throws IOException {
        return shard(name).readRaw(name, tensorName);
    }

    private SafetensorsFile shard(String name) {
        SafetensorsFile s = byTensor.get(name);
        if (s == null) throw new IllegalArgumentException(indexFile + ": no tensor '" + name + "'");
        return s;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (SafetensorsFile s : shards) {
            try {
                s.close();
            } catch (IOException e) {
                if (first == null) first = e;
            }
        }
        if (first != null) throw first;
    }
}
