package dev.neox4j.hub;

import java.nio.file.Path;

/**
 * A model as the user names it ({@code neox.model}, the LangChain4j builders, the commands):
 * <ul>
 *   <li>a local path: a {@code .gguf} file or a transformers checkpoint directory ({@link Local});</li>
 *   <li>{@code hf://OWNER/REPO[@REVISION]/PATH.gguf}: one GGUF file of a Hub repository ({@link HubFile});</li>
 *   <li>{@code hf://OWNER/REPO[@REVISION]:QUANT}: the GGUF of that repository whose name carries the quant tag,
 *       matched case-insensitively ({@link HubQuant});</li>
 *   <li>{@code hf://OWNER/REPO[@REVISION]}: a transformers checkpoint repository ({@link HubCheckpoint}).</li>
 * </ul>
 * The revision (a branch, a tag or a commit hash; default {@code main}) may be percent-encoded, so that a revision
 * with a slash can be written ({@code @refs%2Fpr%2F1}).
 */
public sealed interface ModelReference {

    /** The prefix of Hub references. */
    String SCHEME = "hf://";

    /** The revision used when none is given. */
    String DEFAULT_REVISION = "main";

    /**
     * Parses a reference.
     *
     * @throws HubException ({@link HubException.Kind#INVALID_REFERENCE}) for a malformed {@code hf://} reference
     */
    static ModelReference parse(String reference) throws HubException {
        if (reference == null || reference.isBlank()) {
            throw new HubException(HubException.Kind.INVALID_REFERENCE, "empty model reference");
        }
        String ref = reference.strip();
        if (!ref.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return new Local(Path.of(ref));
        }
        return ReferenceParser.parseHub(ref, ref.substring(SCHEME.length()));
    }

    /** A local {@code .gguf} file or checkpoint directory. @param path the path as given */
    record Local(Path path) implements ModelReference {
    }

    /**
     * One file of a Hub repository.
     *
     * @param repo     the repository
     * @param revision branch, tag or commit hash
     * @param file     the file's path inside the repository
     */
    record HubFile(RepoId repo, String revision, String file) implements ModelReference {
        @Override
        public String toString() {
            return SCHEME + repo + "@" + revision + "/" + file;
        }
    }

    /**
     * The GGUF file of a Hub repository carrying a quant tag.
     *
     * @param repo     the repository
     * @param revision branch, tag or commit hash
     * @param quant    the quant tag as written ({@code Q4_K_M}, {@code q8_0}, ...)
     */
    record HubQuant(RepoId repo, String revision, String quant) implements ModelReference {
        @Override
        public String toString() {
            return SCHEME + repo + "@" + revision + ":" + quant;
        }
    }

    /**
     * A transformers checkpoint repository.
     *
     * @param repo     the repository
     * @param revision branch, tag or commit hash
     */
    record HubCheckpoint(RepoId repo, String revision) implements ModelReference {
        @Override
        public String toString() {
            return SCHEME + repo + "@" + revision;
        }
    }
}
