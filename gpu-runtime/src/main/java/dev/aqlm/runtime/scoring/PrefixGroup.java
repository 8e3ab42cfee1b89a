package dev.aqlm.runtime.scoring;

import java.util.List;

/**
 * Distinct inputs that begin with the same unscored prefix (typically one document's context, shared by all of its
 * answer choices). They run one after another in one KV slot: the first member fills the slot from position 0, and
 * each later member runs only its own tokens from {@code sharedLength} on, overwriting the previous member's tail.
 *
 * @param members indices into the plan's distinct inputs
 */
record PrefixGroup(int sharedLength, List<Integer> members, long tokens) {
}
