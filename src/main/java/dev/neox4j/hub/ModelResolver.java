package dev.neox4j.hub;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns a {@link ModelReference} into a local path: a local reference as it is, a Hub file or quant into the
 * cached GGUF file, a Hub checkpoint repository into its cached snapshot directory ({@code config.json},
 * {@code tokenizer.json} and the weights). Downloads go into the {@code huggingface_hub} cache ({@link HubCache})
 * with the protocol of {@link HubClient}. Thread-safe; close it to release the HTTP client.
 *
 * <pre>{@code
 * try (ModelResolver resolver = ModelResolver.create(HubSettings.fromEnvironment())) {
 *     Path gguf = resolver.resolve("hf://QuantFactory/pythia-12b-GGUF:Q4_K_M");
 * }
 * }</pre>
 */
public final class ModelResolver implements AutoCloseable {

    /** How long a download may receive nothing before it is cut and resumed. */
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(60);

    private final HubClient client;
    private final HubCache cache;
    private final HubDownloader downloader;

    private ModelResolver(HubSettings settings, Duration stallTimeout, Duration retryDelay) {
        this.client = new HubClient(settings);
        this.cache = new HubCache(settings.cacheDir());
        this.downloader = new HubDownloader(client, cache, new BlobTransfer(client, stallTimeout, retryDelay));
    }

    /** A resolver with {@code settings}. */
    public static ModelResolver create(HubSettings settings) {
        return new ModelResolver(settings, DEFAULT_STALL_TIMEOUT, Duration.ofSeconds(1));
    }

    /**
     * A resolver with {@code settings} and the given transfer timing.
     *
     * @param stallTimeout how long a transfer may receive nothing before it is cut and resumed
     * @param retryDelay   the pause before the first retry of a failed transfer (grows with each failure)
     */
    public static ModelResolver create(HubSettings settings, Duration stallTimeout, Duration retryDelay) {
        return new ModelResolver(settings, stallTimeout, retryDelay);
    }

    /** Whether {@code reference} names a model on the Hub ({@code hf://...}). */
    public static boolean isHubReference(String reference) {
        return reference != null && reference.strip().regionMatches(true, 0, ModelReference.SCHEME, 0,
                ModelReference.SCHEME.length());
    }

    /** The settings in use. */
    public HubSettings settings() {
        return client.settings();
    }

    /** The local path of {@code reference} (see {@link ModelReference}), downloading what is missing. */
    public Path resolve(String reference) throws IOException {
        return resolve(ModelReference.parse(reference));
    }

    /** The local path of {@code reference}, downloading what is missing. */
    public Path resolve(ModelReference reference) throws IOException {
        return switch (reference) {
            case ModelReference.Local local -> local.path();
            case ModelReference.HubFile f -> downloader.fetch(f.repo(), f.revision(), f.file(), null);
            case ModelReference.HubQuant q -> resolveQuant(q);
            case ModelReference.HubCheckpoint c -> resolveCheckpoint(c);
        };
    }

    private Path resolveQuant(ModelReference.HubQuant q) throws IOException {
        RepoListing listing = listing(q.repo(), q.revision());
        List<String> ggufs = listing.files().stream()
                .filter(f -> f.toLowerCase(java.util.Locale.ROOT).endsWith(".gguf")).toList();
        List<String> hits = QuantTag.matching(ggufs, q.quant());
        String where = where(q.repo(), q.revision());
        if (hits.size() == 1) {
            return downloader.fetch(q.repo(), q.revision(), hits.getFirst(), listing.commit());
        }
        List<String> quants = QuantTag.available(ggufs);
        if (hits.isEmpty()) {
            throw new HubException(HubException.Kind.NOT_FOUND, where + ": no GGUF file with quant '" + q.quant()
                    + "'; " + (quants.isEmpty() ? "the repository has no GGUF file with a quant tag"
                    + (ggufs.isEmpty() ? "" : " (GGUF files: " + HubClient.list(ggufs) + ")")
                    : "quants: " + String.join(", ", quants)));
        }
        throw new HubException(HubException.Kind.NOT_FOUND, where + ": several GGUF files carry quant '"
                + q.quant() + "': " + HubClient.list(hits) + "; name one with " + where + "/FILE.gguf (quants: "
                + String.join(", ", quants) + ")");
    }

    private Path resolveCheckpoint(ModelReference.HubCheckpoint c) throws IOException {
        String where = where(c.repo(), c.revision());
        RepoListing listing = listing(c.repo(), c.revision());
        List<String> wanted = CheckpointFiles.select(where, listing.files());
        String commit = listing.commit();
        List<Path> fetched = new ArrayList<>();
        for (String file : wanted) {
            Path local = downloader.fetch(c.repo(), c.revision(), file, commit);
            if (commit == null) {
                // pin the rest of the snapshot to the commit the first file resolved to
                commit = local.getParent().getFileName().toString();
            }
            fetched.add(local);
            if (CheckpointFiles.isIndex(file)) {
                for (String shard : CheckpointFiles.shards(file, Files.readString(local))) {
                    fetched.add(downloader.fetch(c.repo(), c.revision(), shard, commit));
                }
            }
        }
        return fetched.getFirst().getParent();
    }

    /** The files at {@code revision}: from the cached snapshot when offline (or the Hub is unreachable). */
    private RepoListing listing(RepoId repo, String revision) throws IOException {
        if (!client.settings().offline()) {
            try {
                return client.listing(repo, revision);
            } catch (ConnectException | HttpTimeoutException e) {
                return cachedListing(repo, revision, e);
            }
        }
        return cachedListing(repo, revision, null);
    }

    private RepoListing cachedListing(RepoId repo, String revision, IOException cause) throws IOException {
        Optional<String> commit = cache.cachedCommit(repo, revision);
        List<String> files = commit.isPresent() ? cache.snapshotFiles(repo, commit.get()) : List.of();
        if (files.isEmpty()) {
            String why = cause == null ? "HF_HUB_OFFLINE is set" : "cannot reach the Hub (" + cause.getMessage() + ")";
            throw new HubException(HubException.Kind.OFFLINE, why + " and " + where(repo, revision)
                    + " is not in the cache (" + cache.repoDir(repo) + ")"
                    + (cause == null ? "; unset HF_HUB_OFFLINE, or pull it first where the Hub is reachable" : ""),
                    cause);
        }
        return new RepoListing(commit.get(), files);
    }

    private static String where(RepoId repo, String revision) {
        return "hf://" + repo + (revision.equals(ModelReference.DEFAULT_REVISION) ? "" : "@" + revision);
    }

    @Override
    public void close() {
        client.close();
    }
}
