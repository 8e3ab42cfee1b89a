package dev.aqlm.spark.eval;

import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.scoring.Scorer;
import dev.aqlm.runtime.tokenizer.TextTokenizer;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * What a results file records about the model as it was hosted for scoring: the device, the KV slots scored together
 * (lm-eval's batch size), the max length in effect, the prefix token, and the tokenizer's BOS and EOS tokens. Taken
 * where the model is loaded (this process, or each Spark executor, so the driver never needs the model's files); a
 * plain serializable class because Spark's Kryo cannot handle records.
 */
public final class ScoringFacts implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int NONE = -1;

    private final String device;
    private final int batchSize;
    private final int maxLength;
    private final int prefixTokenId;
    private final String bosText;
    private final int bosId;
    private final String eosText;
    private final int eosId;
    private final String kvCache;

    private ScoringFacts(String device, int batchSize, int maxLength, int prefixTokenId, String bosText, int bosId,
                         String eosText, int eosId, String kvCache) {
        this.device = device;
        this.batchSize = batchSize;
        this.maxLength = maxLength;
        this.prefixTokenId = prefixTokenId;
        this.bosText = bosText;
        this.bosId = bosId;
        this.eosText = eosText;
        this.eosId = eosId;
        this.kvCache = kvCache;
    }

    public static ScoringFacts of(LanguageModel model, Scorer scorer) {
        TextTokenizer tokenizer = model.tokenizer();
        int bos = tokenizer.bosTokenId();
        int eos = tokenizer.eosTokenIds().isEmpty() ? NONE : tokenizer.eosTokenIds().iterator().next();
        return new ScoringFacts(model.backend().description(), model.backend().slotCount(),
                scorer.settings().maxLength(), scorer.encoder().prefixToken(), text(tokenizer, bos), bos,
                text(tokenizer, eos), eos, model.options().kvCache().modelArgs());
    }

    private static String text(TextTokenizer tokenizer, int id) {
        if (id < 0) {
            return null;
        }
        String text = tokenizer.specialTokenText(id);
        return text == null ? "" : text;
    }

    /** The same facts on other devices (several Spark executors: each distinct device description, joined). */
    public ScoringFacts withDevice(String description) {
        return new ScoringFacts(description, batchSize, maxLength, prefixTokenId, bosText, bosId, eosText, eosId,
                kvCache);
    }

    public String device() {
        return device;
    }

    public int batchSize() {
        return batchSize;
    }

    public int maxLength() {
        return maxLength;
    }

    public int prefixTokenId() {
        return prefixTokenId;
    }

    /** The KV cache the scores were computed with, as model arguments (see KvCacheFormat.modelArgs). */
    public String kvCache() {
        return kvCache;
    }

    /** lm-eval's {@code tokenizer_bos_token}: [text, id], or null without one. */
    public List<Object> bosToken() {
        return bosId < 0 ? null : List.of(bosText, bosId);
    }

    public List<Object> eosToken() {
        return eosId < 0 ? null : List.of(eosText, eosId);
    }

    /** Whether two hosts scored under the same rules (the device and slot count may differ; the numbers may not). */
    public boolean sameScoringAs(ScoringFacts other) {
        return maxLength == other.maxLength && prefixTokenId == other.prefixTokenId && bosId == other.bosId
                && eosId == other.eosId && Objects.equals(bosText, other.bosText)
                && Objects.equals(eosText, other.eosText) && kvCache.equals(other.kvCache);
    }

    @Override
    public String toString() {
        return device + ", batch " + batchSize + ", max length " + maxLength + ", prefix token " + prefixTokenId + ", "
                + kvCache;
    }
}
