/**
 * Decoding on top of a {@link org.dqwhisper.decode.SpeechModel}: OpenAI whisper's {@code decoding.py},
 * {@code transcribe.py} and {@code timing.py}, rewritten in Java.
 *
 * <p>Flow: {@link org.dqwhisper.decode.Transcriber} walks a {@link org.dqwhisper.decode.MelSource} in 30 s windows
 * ({@link org.dqwhisper.decode.SeekClips}, {@link org.dqwhisper.decode.WindowSegments}); each window is encoded
 * and decoded by a {@link org.dqwhisper.decode.WindowDecoder} (greedy, best-of-N sampling or
 * {@link org.dqwhisper.decode.BeamSearch}, under {@link org.dqwhisper.decode.SuppressBlank},
 * {@link org.dqwhisper.decode.SuppressTokens} and {@link org.dqwhisper.decode.TimestampRules}), retried at higher
 * temperatures when the result looks like a loop or is unlikely, and optionally timed word by word
 * ({@link org.dqwhisper.decode.WordAligner}, {@link org.dqwhisper.decode.Dtw},
 * {@link org.dqwhisper.decode.WordTimestamps}).
 *
 * <p>Several recordings: {@link org.dqwhisper.decode.BatchTranscriber} drives one
 * {@link org.dqwhisper.decode.TranscriptionRun} per recording and batches their current windows: one encoder call
 * for the round's windows ({@link org.dqwhisper.decode.SpeechModel#encodeBatch}) and a lock-step decode
 * ({@link org.dqwhisper.decode.LockStepSearch}: one decoder forward per step for every live hypothesis of every
 * window — greedy, beams, best-of members — via {@link org.dqwhisper.decode.SpeechModel#feedBatch}), attempt by
 * attempt of the temperature fallback. One window alone decodes its beams and best-of members the same way. Word
 * timing and language detection run per recording; results equal {@code Transcriber}'s.
 *
 * <p>Where this code deliberately differs from whisper:
 * <ul>
 *   <li>Sampling uses {@link java.util.SplittableRandom} seeded from {@link org.dqwhisper.decode.DecodingOptions#seed()}
 *       (per window and temperature in long-form), not torch's global generator: same seed, same output, on any
 *       thread.</li>
 *   <li>Beam search drops proposals of suppressed tokens instead of keeping impossible beams.</li>
 *   <li>Long-form: clips are clamped to the audio, and a seek that would not advance moves on by the window
 *       (whisper can loop forever in both cases). Voice activity becomes clips ({@link org.dqwhisper.decode.SeekClips});
 *       language detection starts at the first clip.</li>
 *   <li>Word timing: a position where all tokens have the same attention is standardised to 0 (whisper: NaN), and
 *       word times are made monotonic ({@link org.dqwhisper.decode.WordTimestamps#enforceMonotonic}). Segments
 *       emptied by the "instantaneous or blank" rule keep {@code words == null} when word timestamps are off
 *       (whisper adds an empty list).</li>
 *   <li>Arithmetic is double where whisper uses float32, except the DTW cost matrix, kept in float32 because its
 *       tie rules depend on it.</li>
 * </ul>
 */
package org.dqwhisper.decode;
