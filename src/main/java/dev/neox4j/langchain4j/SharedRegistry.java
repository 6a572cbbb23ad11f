package dev.neox4j.langchain4j;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A bounded, reference-counted map of expensive shared resources (loaded engines), keyed by something that
 * identifies them (a real file path). The first {@link #acquire} of a key opens the resource; later ones share
 * it; the resource is closed when the last {@link Lease} is closed. A resource is opened outside the registry's
 * lock, so a slow open of one key never blocks other keys; concurrent acquirers of a key that is being opened
 * wait for that one open. Thread-safe.
 *
 * @param <K> key type
 * @param <V> resource type
 */
final class SharedRegistry<K, V extends AutoCloseable> {

    private static final System.Logger LOG = System.getLogger(SharedRegistry.class.getName());

    /** Opens the resource of a key. */
    @FunctionalInterface
    interface Opener<K, V> {
        V open(K key) throws IOException;
    }

    private final int maxEntries;
    private final String what;
    private final Map<K, Entry<V>> entries = new HashMap<>(); // guarded by this

    SharedRegistry(int maxEntries, String what) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be >= 1, got " + maxEntries);
        }
        this.maxEntries = maxEntries;
        this.what = what;
    }

    /**
     * Returns a lease on the resource of {@code key}, opening it with {@code opener} when no one holds it.
     *
     * @throws IllegalStateException when {@code maxEntries} other keys are open
     * @throws IOException           when opening fails (also for acquirers that waited for a failed open)
     */
    Lease acquire(K key, Opener<? super K, ? extends V> opener) throws IOException {
        Entry<V> entry;
        boolean creator = false;
        synchronized (this) {
            entry = entries.get(key);
            if (entry == null) {
                if (entries.size() >= maxEntries) {
                    throw new IllegalStateException("at most " + maxEntries + " " + what + "s may be open at once ("
                            + entries.keySet() + " are); close models you no longer use");
                }
                entry = new Entry<>();
                entries.put(key, entry);
                creator = true;
            }
            entry.refs++;
        }
        if (creator) {
            V value;
            try {
                value = opener.open(key);
                if (value == null) {
                    throw new IllegalStateException("opener returned null for " + key);
                }
            } catch (Throwable t) {
                synchronized (this) {
                    entries.remove(key, entry);
                }
                entry.value.completeExceptionally(t);
                throw t;
            }
            entry.value.complete(value);
            LOG.log(System.Logger.Level.DEBUG, "opened shared {0} {1}", what, key);
            return new Lease(key, entry, value);
        }
        try {
            return new Lease(key, entry, entry.value.get());
        } catch (InterruptedException e) {
            release(key, entry);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for " + what + " " + key + " to open");
        } catch (ExecutionException e) {
            // the opener failed; its entry is gone and this acquirer holds nothing
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw new IOException("opening " + what + " " + key + " failed: " + io.getMessage(), io);
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException("opening " + what + " " + key + " failed", cause);
        }
    }

    /** Number of open (or opening) resources. */
    synchronized int size() {
        return entries.size();
    }

    /** Leases currently held on {@code key} (0 when it is not open). */
    synchronized int references(K key) {
        Entry<V> e = entries.get(key);
        return e == null ? 0 : e.refs;
    }

    private void release(K key, Entry<V> entry) {
        boolean last;
        synchronized (this) {
            entry.refs--;
            last = entry.refs == 0;
            if (last) {
                entries.remove(key, entry);
            }
        }
        if (last) {
            V value = entry.value.getNow(null);
            if (value != null) {
                try {
                    value.close();
                    LOG.log(System.Logger.Level.DEBUG, "closed shared {0} {1}", what, key);
                } catch (Exception e) {
                    LOG.log(System.Logger.Level.WARNING, "closing " + what + " " + key + " failed", e);
                }
            }
        }
    }

    /** One reference to a shared resource; closing it (once, idempotently) releases the reference. */
    final class Lease implements AutoCloseable {
        private final K key;
        private final Entry<V> entry;
        private final V value;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Lease(K key, Entry<V> entry, V value) {
            this.key = key;
            this.entry = entry;
            this.value = value;
        }

        K key() {
            return key;
        }

        V value() {
            if (closed.get()) {
                throw new IllegalStateException(what + " lease on " + key + " is closed");
            }
            return value;
        }

        boolean isClosed() {
            return closed.get();
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                release(key, entry);
            }
        }
    }

    private static final class Entry<V> {
        final CompletableFuture<V> value = new CompletableFuture<>();
        int refs; // guarded by the registry
    }
}
