package org.dqwhisper.decode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dqwhisper.text.WhisperTokenizer;

/**
 * Spoken-language identification as whisper's {@code detect_language}: one decoder step on
 * {@code <|startoftranscript|>}, softmax over the language tokens only (every other token masked). Optionally
 * averaged over several consecutive 30 s windows, which is steadier on recordings that start with music or
 * silence.
 */
public final class LanguageDetector {
    private LanguageDetector() {}

    /**
     * Language probabilities of one encoded window.
     *
     * @throws IllegalStateException for an English-only model (it has no language tokens)
     */
    public static LanguageProbabilities detect(SpeechModel model, AudioFeatures audio) {
        WhisperTokenizer tokenizer = model.tokenizer();
        if (!model.isMultilingual()) {
            throw new IllegalStateException("This model doesn't have language tokens so it can't perform lang id");
        }
        float[] logits;
        try (DecoderSession session = model.startDecoder(audio)) {
            logits = session.feed(new int[] {tokenizer.sot()}, 0)[0];
        }
        int[] languageTokens = tokenizer.allLanguageTokens();
        float[] selected = new float[languageTokens.length];
        for (int i = 0; i < languageTokens.length; i++) {
            selected[i] = logits[languageTokens[i]];
        }
        double[] probs = Softmax.softmax(selected, 0, selected.length);
        Map<String, Double> byCode = new LinkedHashMap<>();
        for (int i = 0; i < languageTokens.length; i++) {
            byCode.put(tokenizer.languageCode(languageTokens[i]), probs[i]);
        }
        return new LanguageProbabilities(byCode);
    }

    /**
     * Mean language probabilities over up to {@code windows} consecutive 30 s windows starting at mel frame
     * {@code startFrame}. The first window is always used, even past the end of the audio (whisper reads the
     * silence padding there); further windows only while they start inside the audio.
     */
    public static LanguageProbabilities detect(SpeechModel model, MelSource mel, int startFrame, int windows) {
        if (windows < 1) {
            throw new IllegalArgumentException("language detection needs at least one window, got " + windows);
        }
        int total = mel.contentFrames();
        int start = Math.max(0, Math.min(startFrame, total));
        List<LanguageProbabilities> results = new ArrayList<>();
        for (int w = 0; w < windows; w++) {
            int seek = start + w * model.windowFrames();
            if (w > 0 && seek >= total) {
                break;
            }
            // the source holds 30 s of padding frames after the audio
            int count = Math.min(model.windowFrames(), total + MelSource.WINDOW_FRAMES - seek);
            try (AudioFeatures audio = model.encode(mel.window(seek, count, model.windowFrames()))) {
                results.add(detect(model, audio));
            }
        }
        return results.size() == 1 ? results.get(0) : LanguageProbabilities.average(results);
    }
}
