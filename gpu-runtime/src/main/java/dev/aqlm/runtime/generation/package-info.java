/**
 * Rows of prompts through the continuous-batching scheduler, streamed: the one generation loop that the runtime's
 * {@code generate --prompts} and the Spark job's tasks share, with the one output row schema ({@link
 * dev.aqlm.runtime.generation.GeneratedRow}) and the same error rows.
 */
package dev.aqlm.runtime.generation;
