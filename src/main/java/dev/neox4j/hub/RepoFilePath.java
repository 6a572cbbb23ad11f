package dev.neox4j.hub;

import java.util.regex.Pattern;

/**
 * The one rule for file names that come from a reference or from the Hub (listings, shard indexes): a relative,
 * {@code /}-separated path inside the repository. Absolute paths, drive letters, backslashes, {@code ..} or
 * {@code .} segments, empty segments and control characters are refused, so that no name can place a file
 * outside the cache.
 */
final class RepoFilePath {

    private static final Pattern DRIVE = Pattern.compile("^[A-Za-z]:.*");

    private RepoFilePath() {
    }

    /**
     * Returns {@code path} if it is a safe repository file name.
     *
     * @throws HubException ({@link HubException.Kind#INVALID_REFERENCE}) naming the problem
     */
    static String check(String path) throws HubException {
        String problem = problem(path);
        if (problem != null) {
            throw new HubException(HubException.Kind.INVALID_REFERENCE,
                    "refusing hub file name '" + printable(path) + "': " + problem);
        }
        return path;
    }

    /** Whether {@code path} passes {@link #check}. */
    static boolean isSafe(String path) {
        return problem(path) == null;
    }

    private static String problem(String path) {
        if (path == null || path.isEmpty()) {
            return "empty";
        }
        if (path.startsWith("/") || DRIVE.matcher(path).matches()) {
            return "absolute paths are not allowed";
        }
        if (path.indexOf('\\') >= 0) {
            return "backslashes are not allowed";
        }
        for (int i = 0; i < path.length(); i++) {
            if (path.charAt(i) < 0x20 || path.charAt(i) == 0x7f) {
                return "control characters are not allowed";
            }
        }
        for (String segment : path.split("/", -1)) {
            if (segment.equals("..")) {
                return "'..' is not allowed";
            }
            if (segment.isEmpty() || segment.equals(".")) {
                return "empty or '.' path segments are not allowed";
            }
        }
        return null;
    }

    private static String printable(String s) {
        return s == null ? "null" : s.replaceAll("\\p{Cntrl}", "?");
    }
}
