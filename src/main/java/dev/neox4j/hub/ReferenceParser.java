package dev.neox4j.hub;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

import static dev.neox4j.hub.ModelReference.DEFAULT_REVISION;
import static dev.neox4j.hub.ModelReference.SCHEME;

/** Parses the {@code hf://} forms of {@link ModelReference}. */
final class ReferenceParser {

    private static final Pattern QUANT = Pattern.compile("[A-Za-z0-9_]+");

    private ReferenceParser() {
    }

    static ModelReference parseHub(String reference, String rest) throws HubException {
        // OWNER/REPO, then optionally @REVISION, then optionally /PATH or :QUANT
        int ownerEnd = rest.indexOf('/');
        if (ownerEnd <= 0) {
            throw invalid(reference, "expected hf://OWNER/REPO");
        }
        int end = ownerEnd + 1;
        while (end < rest.length() && "@/:".indexOf(rest.charAt(end)) < 0) {
            end++;
        }
        RepoId repo;
        try {
            repo = new RepoId(rest.substring(0, ownerEnd), rest.substring(ownerEnd + 1, end));
        } catch (IllegalArgumentException e) {
            throw invalid(reference, e.getMessage());
        }
        String revision = DEFAULT_REVISION;
        if (end < rest.length() && rest.charAt(end) == '@') {
            int revEnd = end + 1;
            while (revEnd < rest.length() && "/:".indexOf(rest.charAt(revEnd)) < 0) {
                revEnd++;
            }
            revision = URLDecoder.decode(rest.substring(end + 1, revEnd), StandardCharsets.UTF_8);
            if (revision.isEmpty()) {
                throw invalid(reference, "empty revision after '@'");
            }
            if (!RepoFilePath.isSafe(revision)) {
                throw invalid(reference, "invalid revision '" + revision + "'");
            }
            end = revEnd;
        }
        if (end == rest.length()) {
            return new ModelReference.HubCheckpoint(repo, revision);
        }
        String tail = rest.substring(end + 1);
        if (tail.isEmpty() && rest.charAt(end) == '/') {
            return new ModelReference.HubCheckpoint(repo, revision);
        }
        if (rest.charAt(end) == ':') {
            if (!QUANT.matcher(tail).matches()) {
                throw invalid(reference, "expected a quant tag such as Q4_K_M after ':', got '" + tail + "'");
            }
            return new ModelReference.HubQuant(repo, revision, tail);
        }
        RepoFilePath.check(tail);
        if (!tail.toLowerCase(Locale.ROOT).endsWith(".gguf")) {
            throw invalid(reference, "a file reference must name a .gguf file; name a transformers "
                    + "checkpoint repository without a path: hf://" + repo
                    + (revision.equals(DEFAULT_REVISION) ? "" : "@" + revision));
        }
        return new ModelReference.HubFile(repo, revision, tail);
    }

    private static HubException invalid(String reference, String why) {
        return new HubException(HubException.Kind.INVALID_REFERENCE, "invalid model reference '" + reference
                + "': " + why + " (forms: hf://OWNER/REPO[@REVISION]/FILE.gguf, hf://OWNER/REPO[@REVISION]:QUANT,"
                + " hf://OWNER/REPO[@REVISION])");
    }
}
