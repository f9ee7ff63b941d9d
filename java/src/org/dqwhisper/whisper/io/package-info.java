/**
 * Reading and writing whisper checkpoints without Python.
 *
 * <ul>
 *   <li>{@link org.dqwhisper.whisper.io.WhisperCheckpoint}: any supported layout, validated, tensors under OpenAI names.</li>
 *   <li>{@link org.dqwhisper.whisper.io.TensorArchive}: the common read API of
 *       {@link org.dqwhisper.whisper.io.SafetensorsFile}, {@link org.dqwhisper.whisper.io.ShardedSafetensors} and
 *       {@link org.dqwhisper.whisper.io.TorchCheckpointReader} (PyTorch zip files through the allow-list
 *       {@link org.dqwhisper.whisper.io.RestrictedUnpickler}, which never executes anything).</li>
 *   <li>{@link org.dqwhisper.whisper.io.SafetensorsWriter}: atomic safetensors output.</li>
 *   <li>{@link org.dqwhisper.whisper.io.WhisperConfigJson}: {@code dims.json} / {@code config.json} to and from
 *       {@link org.dqwhisper.whisper.WhisperConfig}; {@link org.dqwhisper.whisper.io.WhisperTensorNames}: the expected
 *       tensor set and the OpenAI / Hugging Face name mapping.</li>
 * </ul>
 * Every malformed or unsafe input ends in a {@link org.dqwhisper.whisper.io.CheckpointFormatException} naming the file
 * and, where one is involved, the tensor. Data is memory-mapped in bounded windows and converted straight into
 * off-heap {@link org.dqwhisper.tensor.Tensor}s; nothing the size of a tensor is put on the Java heap.
 */
package org.dqwhisper.whisper.io;
