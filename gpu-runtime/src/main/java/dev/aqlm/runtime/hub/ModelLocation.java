package dev.aqlm.runtime.hub;

import dev.aqlm.runtime.errors.AqlmException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What {@code --model} names: a checkpoint directory (local or on a shared filesystem), or a Hugging Face Hub id
 * ({@code org/name[@revision]}) that resolves through the Hub cache. An existing directory always wins, so a local
 * folder called {@code org/name} is never mistaken for a Hub id.
 */
public final class ModelLocation {
    private ModelLocation() {
    }

    public static boolean isHubId(String reference) {
        return !Files.isDirectory(Path.of(reference)) && HubModelId.looksLike(reference);
    }

    /** The local directory of {@code reference}, downloading a Hub model into the cache if needed. */
    public static Path resolve(String reference, HubSettings settings) {
        Path local = Path.of(reference);
        if (Files.isDirectory(local)) {
            return local;
        }
        if (HubModelId.looksLike(reference)) {
            return new HubModelResolver(settings).resolve(HubModelId.parse(reference));
        }
        throw new AqlmException("model '" + reference + "' is neither a directory nor a Hugging Face id (org/name);"
                + " give a checkpoint directory or a Hub id such as ISTA-DASLab/Llama-2-7b-AQLM-2Bit-1x16-hf");
    }

    public static Path resolve(String reference) {
        return resolve(reference, HubSettings.fromEnvironment());
    }

    /**
     * {@code reference} with a Hub revision replaced by its commit hash, so every process of a job (the Spark driver
     * and all executors) loads the same snapshot even if the branch moves meanwhile; directories come back unchanged.
     */
    public static String pin(String reference, HubSettings settings) {
        if (!isHubId(reference)) {
            return reference;
        }
        HubModelId id = HubModelId.parse(reference);
        return id.at(new HubModelResolver(settings).commitOf(id)).toString();
    }
}
