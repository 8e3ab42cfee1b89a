package dev.aqlm.runtime.engine;

import dev.aqlm.runtime.model.ModelConfig;

/** The dimensions that size a KV cache: layers, key/value heads and the head dimension. */
public record KvCacheShape(int layers, int kvHeads, int headDim) {
    public static KvCacheShape of(ModelConfig config) {
        return new KvCacheShape(config.layerCount(), config.kvHeadCount(), config.headDim());
    }

    public int kvDim() {
        return kvHeads * headDim;
    }
}
