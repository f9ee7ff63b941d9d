package org.dqwhisper.bench;

import org.dqwhisper.kernels.CpuRuntime;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.whisper.DecoderState;
import org.dqwhisper.whisper.RandomWhisper;
import org.dqwhisper.whisper.WhisperConfig;
import org.dqwhisper.whisper.WhisperModel;

/** Decoder ms/token of a random-weight official size (for profiling): args size precision tokens. */
public final class DecodeProbe {
    public static void main(String[] args) {
        String size = args.length > 0 ? args[0] : "base";
        Precision p = Precision.parse(args.length > 1 ? args[1] : "int8");
        int tokens = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        CpuRuntime.setThreads(1);
        WhisperConfig c = RandomWhisper.officialConfig(size);
        try (WhisperModel m = WhisperModel.build(c, new RandomWhisper(c, 1), p);
                Tensor audio = Tensor.allocate(org.dqwhisper.tensor.DType.F32, c.nAudioCtx(), c.nAudioState())) {
            audio.fill(0.1f);
            for (int rep = 0; rep < 3; rep++) {
                try (DecoderState s = m.newState(audio)) {
                    m.decode(s, new int[] {50258, 50259, 50359, 50363}).close();
                    long t0 = System.nanoTime();
                    for (int i = 0; i < tokens && s.length() < c.nTextCtx(); i++) m.decode(s, new int[] {400 + i}).close();
                    System.out.printf("%s %s decode: %.2f ms/token%n", size, p, (System.nanoTime() - t0) / 1e6 / tokens);
                }
            }
        }
    }
}
