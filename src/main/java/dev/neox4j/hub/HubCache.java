package dev.neox4j.hub;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The {@code huggingface_hub} cache layout, so that Python tools and neox4j share downloads:
 * <pre>
 * ROOT/models--OWNER--REPO/
 *   blobs/&lt;etag&gt;                      the file contents, named by ETag (the sha256 of an LFS file)
 *   snapshots/&lt;commit&gt;/&lt;path&gt;       relative symbolic links to ../../blobs/&lt;etag&gt;
 *   refs/&lt;revision&gt;                  the commit a branch or tag pointed to when last resolved
 * ROOT/.locks/models--OWNER--REPO/&lt;etag&gt;.lock
 * </pre>
 */
public final class HubCache {

    private static final Pattern COMMIT_HASH = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");
    private static final long LOCK_POLL_MILLIS = 100;

    private final Path root;

    public HubCache(Path root) {
        this.root = root;
    }

    /** The cache root. */
    public Path root() {
        return root;
    }

    /** Whether {@code revision} is a full commit hash (which names a snapshot without asking the Hub). */
    public static boolean isCommitHash(String revision) {
        return COMMIT_HASH.matcher(revision).matches();
    }

    /** The repository's folder. */
    public Path repoDir(RepoId repo) {
        return root.resolve(repo.folderName());
    }

    /** The blob of {@code etag}. @throws HubException when the ETag is not a safe file name */
    Path blob(RepoId repo, String etag) throws HubException {
        return repoDir(repo).resolve("blobs").resolve(safeName(etag, "ETag"));
    }

    /** The snapshot folder of {@code commit}. @throws HubException when the commit is not a safe file name */
    public Path snapshotDir(RepoId repo, String commit) throws HubException {
        return repoDir(repo).resolve("snapshots").resolve(safeName(commit, "commit"));
    }

    /** Where {@code file} of {@code commit} is linked. @throws HubException for unsafe names */
    public Path pointer(RepoId repo, String commit, String file) throws HubException {
        return snapshotDir(repo, commit).resolve(RepoFilePath.check(file));
    }

    /** The lock file serialising downloads of one blob. */
    Path lockFile(RepoId repo, String etag) throws HubException {
        return root.resolve(".locks").resolve(repo.folderName()).resolve(safeName(etag, "ETag") + ".lock");
    }

    /**
     * The commit {@code revision} names as far as the cache knows: the revision itself when it is a commit hash,
     * else the content of {@code refs/<revision>}.
     */
    public Optional<String> cachedCommit(RepoId repo, String revision) {
        if (isCommitHash(revision)) {
            return Optional.of(revision);
        }
        Path ref = repoDir(repo).resolve("refs").resolve(revision);
        try {
            String commit = Files.readString(ref, StandardCharsets.UTF_8).strip();
            return SAFE_NAME.matcher(commit).matches() ? Optional.of(commit) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Records that {@code revision} points at {@code commit} (atomically; nothing for a commit hash). */
    void writeRef(RepoId repo, String revision, String commit) throws IOException {
        if (revision.equals(commit)) {
            return;
        }
        Path ref = repoDir(repo).resolve("refs").resolve(RepoFilePath.check(revision));
        if (Files.isRegularFile(ref) && commit.equals(Files.readString(ref, StandardCharsets.UTF_8))) {
            return;
        }
        Files.createDirectories(ref.getParent());
        Path tmp = ref.resolveSibling(ref.getFileName() + "." + UUID.randomUUID().toString().substring(0, 8) + ".tmp");
        try {
            Files.writeString(tmp, commit, StandardCharsets.UTF_8);
            Files.move(tmp, ref, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Links {@code pointer} to {@code blob} with a relative symbolic link (as huggingface_hub does); an existing
     * link to the same blob is kept, anything else at that place is replaced.
     */
    void link(Path pointer, Path blob) throws IOException {
        Files.createDirectories(pointer.getParent());
        Path target = pointer.getParent().relativize(blob);
        if (Files.isSymbolicLink(pointer) && Files.readSymbolicLink(pointer).equals(target)) {
            return;
        }
        Path tmp = pointer.resolveSibling(pointer.getFileName() + "." + UUID.randomUUID().toString().substring(0, 8)
                + ".link");
        try {
            Files.createSymbolicLink(tmp, target);
            Files.move(tmp, pointer, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (UnsupportedOperationException | FileAlreadyExistsException e) {
            // no symbolic links on this file system: a copy, as huggingface_hub does there
            Files.copy(blob, pointer, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The files of a cached snapshot ({@code /}-separated paths), or an empty list when it is not cached. */
    public List<String> snapshotFiles(RepoId repo, String commit) throws HubException {
        Path dir = snapshotDir(repo, commit);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<String> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(p -> Files.isRegularFile(p)).forEach(p -> files.add(
                    dir.relativize(p).toString().replace(java.io.File.separatorChar, '/')));
        } catch (IOException e) {
            return List.of();
        }
        files.sort(null);
        return files;
    }

    /** Whether {@code pointer} exists and leads to a regular file (a dangling link does not count). */
    static boolean isCached(Path pointer) {
        return Files.isRegularFile(pointer);
    }

    /** A held lock on a blob; closing releases it. */
    interface Held extends AutoCloseable {
        @Override
        void close() throws IOException;
    }

    /**
     * Takes the lock of one blob, waiting while another process (or another thread of this one) holds it.
     *
     * @param onWait called once if the lock is busy, to say why we wait
     */
    Held lock(Path lockFile, Runnable onWait) throws IOException {
        Files.createDirectories(lockFile.getParent());
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        boolean announced = false;
        try {
            while (true) {
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null; // another thread of this JVM holds it
                }
                if (lock != null) {
                    FileLock held = lock;
                    return () -> {
                        try {
                            held.release();
                        } finally {
                            channel.close();
                        }
                    };
                }
                if (!announced) {
                    onWait.run();
                    announced = true;
                }
                Thread.sleep(LOCK_POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            channel.close();
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for " + lockFile);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Deletes a file if present, ignoring a concurrent deletion. */
    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (NoSuchFileException ignored) {
            // gone already
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** Whether {@code path} exists without following a final symbolic link. */
    static boolean existsNoFollow(Path path) {
        return Files.exists(path, LinkOption.NOFOLLOW_LINKS);
    }

    private static String safeName(String name, String what) throws HubException {
        if (name == null || !SAFE_NAME.matcher(name).matches()) {
            throw new HubException(HubException.Kind.PROTOCOL, "refusing " + what + " '" + name
                    + "' from the Hub: not usable as a cache file name");
        }
        return name;
    }
}
