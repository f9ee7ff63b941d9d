package org.dqwhisper.whisper;

import org.dqwhisper.tensor.Tensor;

/** Where a model's weights come from, by OpenAI tensor name: a checkpoint, an export, a test. */
public interface TensorSource {
    /** True if the tensor exists. */
    boolean has(String name);

    /** A new F32 tensor (owned by the caller) holding the named weight; throws naming it if absent. */
    Tensor take(String name);
}
