package dev.aqlm.runtime.hub;

import dev.aqlm.runtime.errors.AqlmException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model repository on the Hugging Face Hub, {@code org/name}, optionally at a revision ({@code org/name@v1.0}, a
 * branch, tag or full commit hash; default {@code main}).
 */
public record HubModelId(String repository, String revision) {
    private static final Pattern FORM = Pattern.compile("([A-Za-z0-9][\\w.-]*)/([\\w.-]+)(?:@(.+))?");
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

    public HubModelId {
        if (!FORM.matcher(repository).matches() || repository.contains("@")) {
            throw new AqlmException("'" + repository + "' is not a Hugging Face repository id (org/name)");
        }
        if (revision == null || revision.isBlank()) {
            revision = "main";
        }
    }

    /** True when {@code text} has the form of a Hub id; whether it is one is only known by asking the Hub. */
    public static boolean looksLike(String text) {
        return FORM.matcher(text).matches() && !text.startsWith(".") && !text.contains("//");
    }

    public static HubModelId parse(String text) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            throw new AqlmException("'" + text + "' is neither a model directory nor a Hugging Face id"
                    + " (org/name or org/name@revision)");
        }
        return new HubModelId(m.group(1) + "/" + m.group(2), m.group(3));
    }

    /** True when the revision is a full commit hash, which names one immutable snapshot. */
    public boolean pinned() {
        return COMMIT.matcher(revision).matches();
    }

    public HubModelId at(String newRevision) {
        return new HubModelId(repository, newRevision);
    }

    /** The cache folder name huggingface_hub uses: models--org--name. */
    public String cacheFolderName() {
        return "models--" + repository.replace("/", "--");
    }

    @Override
    public String toString() {
        return repository + "@" + revision;
    }
}
