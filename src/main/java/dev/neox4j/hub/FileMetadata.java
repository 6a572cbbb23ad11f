package dev.neox4j.hub;

import java.net.URI;

/**
 * What {@code HEAD .../resolve/<revision>/<file>} says about one file.
 *
 * @param commit       the commit the revision resolved to ({@code X-Repo-Commit})
 * @param etag         the blob name: {@code X-Linked-Etag} (an LFS file's sha256), else the {@code ETag}
 * @param size         the file size ({@code X-Linked-Size}, else {@code Content-Length})
 * @param location     where to download it: the redirect target of an LFS file, else the resolve URL
 * @param sendToken    whether the download may carry the token (never to another host: presigned URLs refuse it)
 * @param sha256       the expected sha256 (lower-case hex) when the Hub announced one, else {@code null}
 */
record FileMetadata(String commit, String etag, long size, URI location, boolean sendToken, String sha256) {
}
