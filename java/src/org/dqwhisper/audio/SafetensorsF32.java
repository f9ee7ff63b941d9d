package org.dqwhisper.audio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * Just enough safetensors to read the F32 tensors this package ships (the mel filter bank) and the audio reference
 * fixtures in tests. Not a general checkpoint reader.
 */
final class SafetensorsF32 {
    /** One F32 tensor: row-major values and shape. */
    record Entry(long[] shape, float[] values) {
    }

    private SafetensorsF32() {
    }

    /** Parses a whole file held in memory; {@code name} is used in error messages. */
    static Map<String, Entry> parse(byte[] bytes, String name) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 8) {
            throw new IOException(name + ": " + bytes.length + " bytes, too short for a safetensors header");
        }
        long headerLen = buf.getLong(0);
        if (headerLen <= 0 || headerLen > bytes.length - 8L) {
            throw new IOException(name + ": header length " + headerLen + " does not fit the file (" + bytes.length
                + " bytes)");
        }
        long dataStart = 8 + headerLen;
        JsonObject header;
        try {
            header = JsonParser.parseString(new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8))
                .getAsJsonObject();
        } catch (RuntimeException e) {
            throw new IOException(name + ": header is not a JSON object: " + e.getMessage(), e);
        }
        Map<String, Entry> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : header.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            JsonObject t = e.getValue().getAsJsonObject();
            String dtype = t.get("dtype").getAsString();
            if (!dtype.equals("F32")) {
                throw new IOException(name + ": tensor '" + e.getKey() + "' has dtype " + dtype + ", expected F32");
            }
            long[] shape = new long[t.getAsJsonArray("shape").size()];
            long count = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = t.getAsJsonArray("shape").get(i).getAsLong();
                count *= shape[i];
            }
            long begin = t.getAsJsonArray("data_offsets").get(0).getAsLong();
            long end = t.getAsJsonArray("data_offsets").get(1).getAsLong();
            if (begin < 0 || end < begin || dataStart + end > bytes.length || end - begin != count * 4) {
                throw new IOException(name + ": tensor '" + e.getKey() + "' shape " + Arrays.toString(shape)
                    + " does not match data_offsets [" + begin + ", " + end + "] in a file of " + bytes.length
                    + " bytes");
            }
            float[] values = new float[(int) count];
            buf.position((int) (dataStart + begin));
            buf.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
            out.put(e.getKey(), new Entry(shape, values));
        }
        return out;
    }
}
