package dev.aqlm.runtime.hub;

import java.util.List;

/** What a revision of a repository resolves to: its commit hash and its files. */
public record RepoSnapshot(String commit, List<RepoFile> files) {
    public RepoSnapshot {
        files = List.copyOf(files);
    }
}
