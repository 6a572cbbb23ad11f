package dev.neox4j.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Downloads one file into a partial file: resumes from the partial file's length with {@code Range}, retries a cut
 * or stalled transfer while it makes progress, then checks the size and (when the Hub announced it) the sha256.
 * A file that fails the check is deleted; a transfer that keeps failing leaves the partial file for a later resume.
 */
final class BlobTransfer {

    private static final System.Logger LOG = System.getLogger(BlobTransfer.class.getName());
    private static final int ATTEMPTS_WITHOUT_PROGRESS = 5;
    private static final int BUFFER = 1 << 16;
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)");

    private final HubClient client;
    private final Duration stallTimeout;
    private final Duration retryDelay;

    BlobTransfer(HubClient client, Duration stallTimeout, Duration retryDelay) {
        this.client = client;
        this.stallTimeout = stallTimeout;
        this.retryDelay = retryDelay;
    }

    /**
     * Completes {@code partial} with the bytes of {@code meta} and verifies it.
     *
     * @throws HubException ({@link HubException.Kind#INTEGRITY}) when size or sha256 differ; the file is deleted
     * @throws IOException  when the transfer keeps failing (the partial file is kept for a resume)
     */
    void download(FileMetadata meta, String name, Path partial) throws IOException {
        MessageDigest digest = newDigest();
        DownloadProgress progress = DownloadProgress.start(name, meta.size());
        boolean complete = false;
        try (FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ)) {
            long have = out.size();
            if (have > meta.size()) {
                out.truncate(0);
                have = 0;
            }
            hashPrefix(out, have, digest);
            if (have > 0) {
                LOG.log(System.Logger.Level.INFO, "Resuming {0} at {1} of {2}", name, DownloadProgress.bytes(have),
                        DownloadProgress.bytes(meta.size()));
            }
            progress.update(have);
            int failures = 0;
            IOException lastFailure = null;
            while (have < meta.size()) {
                long before = have;
                try {
                    have = attempt(meta, name, out, have, digest, progress);
                } catch (HubException e) {
                    throw e;
                } catch (InterruptedIOException e) {
                    throw e;
                } catch (IOException e) {
                    lastFailure = e;
                    have = out.size();
                    LOG.log(System.Logger.Level.WARNING, "Transfer of {0} cut at {1} of {2} ({3}); resuming",
                            name, DownloadProgress.bytes(have), DownloadProgress.bytes(meta.size()), e.toString());
                }
                if (have < meta.size()) {
                    failures = have > before ? 0 : failures + 1;
                    if (failures >= ATTEMPTS_WITHOUT_PROGRESS) {
                        throw new IOException("downloading " + name + " from " + meta.location().getHost()
                                + " failed " + failures + " times without progress (" + DownloadProgress.bytes(have)
                                + " of " + DownloadProgress.bytes(meta.size()) + " kept; run again to resume)",
                                lastFailure);
                    }
                    sleep(retryDelay.multipliedBy(failures));
                }
            }
            out.force(true);
            complete = true;
        } finally {
            progress.finish(complete);
        }
        verify(meta, name, partial, digest);
    }

    /** One GET from byte {@code have}; returns the bytes on disk afterwards. */
    private long attempt(FileMetadata meta, String name, FileChannel out, long have, MessageDigest digest,
                         DownloadProgress progress) throws IOException {
        HttpResponse<InputStream> r = client.get(meta.location(), meta.sendToken(), have);
        try (InputStream in = r.body()) {
            int status = r.statusCode();
            if (status == 416 && have == meta.size()) {
                return have;
            }
            if (status == 206) {
                long start = rangeStart(r);
                if (start != have) {
                    throw new HubException(HubException.Kind.PROTOCOL, "the server answered the range from "
                            + have + " of " + name + " with bytes from " + start);
                }
            } else if (status == 200 || status == 416) {
                // the server ignored (or refused) the range: start over
                if (have > 0) {
                    out.truncate(0);
                    digest.reset();
                    have = 0;
                }
                if (status == 416) {
                    return have;
                }
            } else if (status == 401 || status == 403) {
                throw new HubException(HubException.Kind.UNAUTHORIZED, "downloading " + name + " from "
                        + meta.location().getHost() + " was refused (HTTP " + status + "); for a gated or private "
                        + "repository set HF_TOKEN to a token with access");
            } else {
                throw new HubException(HubException.Kind.PROTOCOL, "downloading " + name + " from "
                        + meta.location().getHost() + " failed: HTTP " + status);
            }
            return copy(in, out, have, meta.size(), name, digest, progress);
        }
    }

    private long copy(InputStream in, FileChannel out, long have, long size, String name, MessageDigest digest,
                      DownloadProgress progress) throws IOException {
        AtomicLong lastBytes = new AtomicLong(System.nanoTime());
        AtomicBoolean finished = new AtomicBoolean();
        AtomicBoolean stalled = new AtomicBoolean();
        Thread reader = Thread.currentThread();
        Thread watchdog = Thread.ofVirtual().name("neox-hub-stall-watch").start(() -> {
            while (!finished.get()) {
                try {
                    Thread.sleep(Math.max(10, Math.min(1000, stallTimeout.toMillis() / 4)));
                } catch (InterruptedException e) {
                    return;
                }
                if (!finished.get() && System.nanoTime() - lastBytes.get() > stallTimeout.toNanos()) {
                    stalled.set(true);
                    reader.interrupt();
                    try {
                        in.close();
                    } catch (IOException ignored) {
                        // the reader sees the interrupt
                    }
                    return;
                }
            }
        });
        byte[] buffer = new byte[BUFFER];
        long position = have;
        try {
            int n;
            while ((n = in.read(buffer)) > 0) {
                lastBytes.set(System.nanoTime());
                if (position + n > size) {
                    throw new HubException(HubException.Kind.INTEGRITY, name + ": the server sent more than the "
                            + size + " bytes the Hub announced");
                }
                ByteBuffer b = ByteBuffer.wrap(buffer, 0, n);
                while (b.hasRemaining()) {
                    out.write(b, position + (n - b.remaining()));
                }
                digest.update(buffer, 0, n);
                position += n;
                progress.update(position);
            }
            return position;
        } catch (IOException e) {
            if (stalled.get()) {
                Thread.interrupted();
                throw new IOException("no data for " + stallTimeout.toSeconds() + " s", e);
            }
            throw e;
        } finally {
            finished.set(true);
            watchdog.interrupt();
            if (stalled.get()) {
                Thread.interrupted();
            }
        }
    }

    private static void verify(FileMetadata meta, String name, Path file, MessageDigest digest) throws IOException {
        long size = Files.size(file);
        String problem = null;
        if (size != meta.size()) {
            problem = "size " + size + " instead of " + meta.size();
        } else if (meta.sha256() != null) {
            String actual = HexFormat.of().formatHex(digest.digest());
            if (!actual.equals(meta.sha256())) {
                problem = "sha256 " + actual + " instead of " + meta.sha256();
            }
        }
        if (problem != null) {
            HubCache.deleteQuietly(file);
            throw new HubException(HubException.Kind.INTEGRITY, name + ": the downloaded file does not match what "
                    + "the Hub announced (" + problem + "); nothing was kept, run again to retry");
        }
    }

    private static void hashPrefix(FileChannel channel, long length, MessageDigest digest) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(BUFFER);
        long pos = 0;
        while (pos < length) {
            b.clear();
            b.limit((int) Math.min(BUFFER, length - pos));
            int n = channel.read(b, pos);
            if (n <= 0) {
                break;
            }
            b.flip();
            digest.update(b);
            pos += n;
        }
    }

    private static long rangeStart(HttpResponse<?> r) throws HubException {
        String header = r.headers().firstValue("Content-Range").orElse("");
        Matcher m = CONTENT_RANGE.matcher(header.strip());
        if (!m.matches()) {
            throw new HubException(HubException.Kind.PROTOCOL, "206 answer without a usable Content-Range: '"
                    + header + "'");
        }
        return Long.parseLong(m.group(1));
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }

    private static void sleep(Duration d) throws InterruptedIOException {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to resume");
        }
    }
}
