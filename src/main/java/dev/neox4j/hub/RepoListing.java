package dev.neox4j.hub;

import java.util.List;

/**
 * The files of a repository at one revision.
 *
 * @param commit the commit the revision resolved to, or {@code null} when the listing did not say
 * @param files  the files' paths, {@code /}-separated, sorted
 */
record RepoListing(String commit, List<String> files) {
}
