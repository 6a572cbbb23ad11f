package dev.neox4j.hub;

import java.util.regex.Pattern;

/**
 * A model repository on the Hub, {@code OWNER/NAME}, checked with the Hub's own rules (letters, digits, {@code -},
 * {@code _}, {@code .}; no {@code --} or {@code ..}; at most 96 characters per part).
 *
 * @param owner the user or organisation
 * @param name  the repository
 */
public record RepoId(String owner, String name) {

    private static final Pattern PART = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9])?");

    public RepoId {
        for (String part : new String[] {owner, name}) {
            if (part == null || !PART.matcher(part).matches() || part.contains("--") || part.contains("..")) {
                throw new IllegalArgumentException("invalid repository name '" + owner + "/" + name
                        + "': use OWNER/REPO with letters, digits, '-', '_' or '.' (no '--' or '..')");
            }
        }
        if (name.endsWith(".git")) {
            throw new IllegalArgumentException("invalid repository name '" + owner + "/" + name
                    + "': it must not end with .git");
        }
    }

    /** Parses {@code OWNER/NAME}. @throws IllegalArgumentException when malformed */
    public static RepoId parse(String id) {
        int slash = id.indexOf('/');
        if (slash < 0 || id.indexOf('/', slash + 1) >= 0) {
            throw new IllegalArgumentException("invalid repository name '" + id + "': expected OWNER/REPO");
        }
        return new RepoId(id.substring(0, slash), id.substring(slash + 1));
    }

    /** The cache folder name, {@code models--OWNER--NAME}, as {@code huggingface_hub} names it. */
    public String folderName() {
        return "models--" + owner + "--" + name;
    }

    @Override
    public String toString() {
        return owner + "/" + name;
    }
}
