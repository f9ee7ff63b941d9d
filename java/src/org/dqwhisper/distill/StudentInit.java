package org.dqwhisper.distill;

import java.util.Map;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.whisper.TensorSource;
import org.dqwhisper.whisper.WhisperConfig;
import org.dqwhisper.whisper.WhisperModel;

/**
 * A student initialised from the teacher (as distil-whisper does): the whole encoder, the embeddings and
 * the final norm copied, and {@code decoderLayers} decoder blocks copied from maximally spaced teacher
 * blocks (first and last always kept: {@code round(i·(N_T−1)/(N_S−1))}).
 */
public final class StudentInit {
    private StudentInit() {}

    /** The teacher block each student block is copied from. */
    public static int[] maximallySpaced(int studentLayers, int teacherLayers) {
        if (studentLayers < 1 || studentLayers > teacherLayers) {
            throw new IllegalArgumentException("student decoder layers must be in [1, " + teacherLayers + "], got " + studentLayers);
        }
        int[] m = new int[studentLayers];
        for (int i = 0; i < studentLayers; i++) {
            m[i] = studentLayers == 1 ? 0 : (int) Math.round((double) i * (teacherLayers - 1) / (studentLayers - 1));
        }
        return m;
    }

    /** A new FP32 model (the caller closes it) with {@code decoderLayers} blocks copied from {@code teacher}. */
    public static WhisperModel fromTeacher(WhisperModel teacher, int decoderLayers) {
        WhisperConfig t = teacher.config();
        int[] from = maximallySpaced(decoderLayers, t.nTextLayer());
        WhisperConfig s = WhisperConfig.of(t.nMels(), t.nAudioCtx(), t.nAudioState(), t.nAudioHead(), t.nAudioLayer(), t.nVocab(),
                t.nTextCtx(), t.nTextState(), t.nTextHead(), decoderLayers);
        Map<String, Tensor> state = teacher.stateTensors();
        return WhisperModel.build(s, new TensorSource() {
            @Override
            public boolean has(String name) {
                return state.containsKey(teacherName(name, from));
            }

            @Override
            public Tensor take(String name) {
                Tensor src = state.get(teacherName(name, from));
                if (src == null) throw new IllegalArgumentException("student init: teacher has no tensor for '" + name + "'");
                Tensor copy = Tensor.allocate(name, src.dtype(), src.shape());
                copy.copyFrom(src);
                return copy;
            }
        }, Precision.FP32);
    }

    static String teacherName(String studentName, int[] from) {
        String p = "decoder.blocks.";
        if (!studentName.startsWith(p)) return studentName;
        int dot = studentName.indexOf('.', p.length());
        int i = Integer.parseInt(studentName.substring(p.length(), dot));
        return p + from[i] + studentName.substring(dot);
    }
}
