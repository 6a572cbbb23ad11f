package dev.neox4j.hub;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * Brings one repository file into the cache the way {@code hf_hub_download} does, and returns its snapshot path:
 * a commit-hash revision already cached needs no request; offline, the file comes from the cache or not at all;
 * otherwise {@code HEAD} resolves commit, blob and size, the blob is downloaded under a per-blob lock into
 * {@code blobs/<etag>.incomplete}, verified, renamed atomically into place, and linked from the snapshot.
 */
final class HubDownloader {

    private static final System.Logger LOG = System.getLogger(HubDownloader.class.getName());

    private final HubClient client;
    private final HubCache cache;
    private final BlobTransfer transfer;

    HubDownloader(HubClient client, HubCache cache, BlobTransfer transfer) {
        this.client = client;
        this.cache = cache;
        this.transfer = transfer;
    }

    /**
     * The local path of {@code file} at {@code revision}, downloading it if needed.
     *
     * @param commit the commit a listing already resolved the revision to, or {@code null}
     */
    Path fetch(RepoId repo, String revision, String file, String commit) throws IOException {
        RepoFilePath.check(file);
        String pinned = commit != null ? commit : HubCache.isCommitHash(revision) ? revision : null;
        if (pinned != null) {
            Path pointer = cache.pointer(repo, pinned, file);
            if (HubCache.isCached(pointer)) {
                return pointer;
            }
        }
        if (client.settings().offline()) {
            return cachedOrOffline(repo, revision, file, null);
        }
        FileMetadata meta;
        try {
            meta = client.head(repo, pinned != null ? pinned : revision, file);
        } catch (ConnectException | HttpTimeoutException e) {
            // the Hub cannot be reached: a cached copy still serves, as in huggingface_hub
            return cachedOrOffline(repo, revision, file, e);
        }
        Path pointer = cache.pointer(repo, meta.commit(), file);
        cache.writeRef(repo, revision, meta.commit());
        if (HubCache.isCached(pointer)) {
            return pointer;
        }
        Path blob = cache.blob(repo, meta.etag());
        Files.createDirectories(blob.getParent());
        String name = repo + "/" + file;
        try (HubCache.Held ignored = cache.lock(cache.lockFile(repo, meta.etag()),
                () -> LOG.log(System.Logger.Level.INFO, "Waiting for another download of {0}", name))) {
            if (!Files.isRegularFile(blob)) {
                Path partial = blob.resolveSibling(blob.getFileName() + ".incomplete");
                LOG.log(System.Logger.Level.INFO, "Downloading {0} ({1}) into {2}", name,
                        DownloadProgress.bytes(meta.size()), cache.repoDir(repo));
                transfer.download(meta, name, partial);
                Files.move(partial, blob, StandardCopyOption.ATOMIC_MOVE);
            }
            cache.link(pointer, blob);
        }
        return pointer;
    }

    private Path cachedOrOffline(RepoId repo, String revision, String file, IOException cause) throws IOException {
        Optional<String> commit = cache.cachedCommit(repo, revision);
        if (commit.isPresent()) {
            Path pointer = cache.pointer(repo, commit.get(), file);
            if (HubCache.isCached(pointer)) {
                if (cause != null) {
                    LOG.log(System.Logger.Level.WARNING, "Hub unreachable ({0}); using the cached {1}",
                            cause.getMessage(), pointer);
                }
                return pointer;
            }
        }
        String what = "hf://" + repo + "@" + revision + "/" + file;
        if (cause == null) {
            throw new HubException(HubException.Kind.OFFLINE, "HF_HUB_OFFLINE is set and " + what
                    + " is not in the cache (" + cache.repoDir(repo) + "); unset HF_HUB_OFFLINE, or pull it "
                    + "first where the Hub is reachable");
        }
        throw new HubException(HubException.Kind.OFFLINE, "cannot reach the Hub (" + cause.getMessage() + ") and "
                + what + " is not in the cache (" + cache.repoDir(repo) + ")", cause);
    }
}
