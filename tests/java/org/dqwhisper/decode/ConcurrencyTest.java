package org.dqwhisper.decode;

import static org.dqwhisper.decode.PlanModel.ts;
import static org.dqwhisper.decode.TranscriberTest.FIVE;
import static org.dqwhisper.decode.TranscriberTest.FOUR;
import static org.dqwhisper.decode.TranscriberTest.ONE;
import static org.dqwhisper.decode.TranscriberTest.SEVEN;
import static org.dqwhisper.decode.TranscriberTest.SIX;
import static org.dqwhisper.decode.TranscriberTest.THREE;
import static org.dqwhisper.decode.TranscriberTest.TWO;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Several threads transcribing with one shared model get the single-threaded result and leak nothing. */
class ConcurrencyTest {
    @Test
    void fourThreadsShareOneModel() throws Exception {
        // every window ends on a single timestamp, so word timing leaves the seek at the window boundaries
        Map<Integer, int[]> plans = Map.of(
                0, new int[] {ts(0), ONE, ts(2), ts(2), TWO, ts(5)},
                3000, new int[] {ts(0), THREE, FOUR, ts(3)},
                6000, new int[] {ts(0), FIVE, ts(1), ts(1), SIX, SEVEN, ts(4)});
        ToyModel model = PlanModel.create(plans, 10, 0);
        MelSource mel = PlanModel.frameIndexMel(9000);
        TranscribeOptions options = TranscriberTest.options()
                .decoding(DecodingOptions.builder().language("en").beamSize(5).build())
                .wordTimestamps(true).build();
        Transcriber transcriber = new Transcriber(model);
        Transcription expected = transcriber.transcribe(mel, options);
        assertEquals(5, expected.segments().size());
        assertEquals(7, expected.segments().stream().mapToInt(s -> s.words().size()).sum(), expected.toString());
        assertEquals(" one two three four five six seven", expected.text());
        int windows = model.encodes.get();
        assertEquals(3, windows);

        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Transcription>>> futures = new ArrayList<>();
            for (int thread = 0; thread < 4; thread++) {
                futures.add(pool.submit(() -> {
                    List<Transcription> out = new ArrayList<>();
                    for (int run = 0; run < 3; run++) {
                        out.add(transcriber.transcribe(mel, options));
                    }
                    return out;
                }));
            }
            for (Future<List<Transcription>> f : futures) {
                for (Transcription t : f.get(120, TimeUnit.SECONDS)) {
                    assertEquals(expected, t);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(0, model.liveSessions.get(), "decoder sessions leaked");
        assertEquals(0, model.liveAudio.get(), "encoder outputs leaked");
        assertEquals(13 * windows, model.encodes.get(), "the same windows in each of 13 transcriptions");
    }
}
