package dev.aqlm.runtime.hub;

/**
 * One file of a repository snapshot as the Hub's API lists it.
 *
 * @param blobId git blob sha1 of the file (for LFS files, of its pointer)
 * @param sha256 sha256 of the contents for LFS files (large weights), else null
 */
public record RepoFile(String path, long size, String blobId, String sha256) {

    /** The blob name in the cache, as huggingface_hub names it: the LFS sha256, else the git blob sha1. */
    public String etag() {
        return sha256 != null ? sha256 : blobId;
    }

    /** Files the engine reads: top-level JSON (config, tokenizer, shard index) and safetensors weights. */
    public boolean neededByEngine() {
        return !path.contains("/") && (path.endsWith(".json") || path.endsWith(".safetensors"));
    }
}
