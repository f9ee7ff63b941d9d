/**
 * The built-in multilingual speech corpus ({@code dqw corpus}): real audio for training and evaluating Whisper-shaped
 * models on machines without downloadable data.
 *
 * <ul>
 * <li><b>Text.</b> {@link org.dqwhisper.corpus.SentenceBank}: 240 sentences per language in 10 languages (en, de,
 * fr, es, it, pt; ru in Cyrillic, hi in Devanagari, zh in Han characters, el in Greek), made from templates and word
 * lists by {@code tools/corpus/make_sentences.py}. <b>Numbers are written as digits</b> ("25", "1998") in every
 * language: espeak-ng reads digits aloud in the voice's language, and Whisper also writes numbers as digits, so the
 * transcripts need no number normalization. Mandarin is spoken from a tone-numbered pinyin column.</li>
 * <li><b>Speakers.</b> {@link org.dqwhisper.corpus.Speaker}: espeak-ng voices combined with voice variants; the
 * variants are split into train / dev / test for all languages at once, so test voices are never heard in
 * training.</li>
 * <li><b>Plan.</b> {@link org.dqwhisper.corpus.CorpusPlanner} fixes every choice (sentence, speaker, rate, pitch,
 * {@link org.dqwhisper.corpus.Augmentation}) from the seed, before any audio is made.</li>
 * <li><b>Audio.</b> {@link org.dqwhisper.corpus.CorpusGenerator}: espeak-ng (22050 Hz) → 16 kHz
 * ({@link org.dqwhisper.audio.Resampler}) → reverb ({@link org.dqwhisper.corpus.Reverb}) → noise at an SNR
 * ({@link org.dqwhisper.corpus.NoiseMixer}) → peak gain → 16-bit WAV, cached by content hash.</li>
 * </ul>
 * The default corpus (8 languages x 60 utterances, seed 1234) is 480 utterances, about 25 minutes of audio.
 */
package org.dqwhisper.corpus;
