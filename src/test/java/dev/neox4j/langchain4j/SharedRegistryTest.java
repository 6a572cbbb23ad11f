package dev.neox4j.langchain4j;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reference counting, sharing, bounds and failure handling of the registry behind {@link NeoxEngines}. */
class SharedRegistryTest {

    /** A resource that records whether it was closed. */
    static final class Res implements AutoCloseable {
        final String key;
        final AtomicInteger closes = new AtomicInteger();

        Res(String key) {
            this.key = key;
        }

        @Override
        public void close() {
            closes.incrementAndGet();
        }
    }

    @Test
    void sameKeySharesOneResourceAndClosesItWithTheLastLease() throws IOException {
        SharedRegistry<String, Res> registry = new SharedRegistry<>(4, "res");
        AtomicInteger opens = new AtomicInteger();
        SharedRegistry<String, Res>.Lease a = registry.acquire("m", k -> {
            opens.incrementAndGet();
            return new Res(k);
        });
        SharedRegistry<String, Res>.Lease b = registry.acquire("m", k -> {
            opens.incrementAndGet();
            return new Res(k);
        });
        assertEquals(1, opens.get());
        assertSame(a.value(), b.value());
        assertEquals(2, registry.references("m"));
        Res res = a.value();
        a.close();
        a.close(); // idempotent: releases one reference only
        assertEquals(1, registry.references("m"));
        assertEquals(0, res.closes.get());
        assertThrows(IllegalStateException.class, a::value);
        b.close();
        assertEquals(1, res.closes.get());
        assertEquals(0, registry.size());
        // a new acquisition opens a fresh resource
        SharedRegistry<String, Res>.Lease c = registry.acquire("m", Res::new);
        assertNotSame(res, c.value());
        c.close();
    }

    @Test
    void differentKeysGetDifferentResourcesUpToTheBound() throws IOException {
        SharedRegistry<String, Res> registry = new SharedRegistry<>(2, "res");
        SharedRegistry<String, Res>.Lease a = registry.acquire("a", Res::new);
        SharedRegistry<String, Res>.Lease b = registry.acquire("b", Res::new);
        assertNotSame(a.value(), b.value());
        IllegalStateException full = assertThrows(IllegalStateException.class, () -> registry.acquire("c", Res::new));
        assertTrue(full.getMessage().contains("at most 2"), full.getMessage());
        // a key already open is still shared when the registry is full
        SharedRegistry<String, Res>.Lease a2 = registry.acquire("a", Res::new);
        assertSame(a.value(), a2.value());
        a.close();
        a2.close();
        SharedRegistry<String, Res>.Lease c = registry.acquire("c", Res::new);
        assertEquals("c", c.value().key);
        b.close();
        c.close();
        assertEquals(0, registry.size());
    }

    @Test
    void aFailedOpenLeavesNothingBehindAndIsReported() {
        SharedRegistry<String, Res> registry = new SharedRegistry<>(2, "res");
        IOException e = assertThrows(IOException.class, () -> registry.acquire("x", k -> {
            throw new IOException("no such file: " + k);
        }));
        assertEquals("no such file: x", e.getMessage());
        assertEquals(0, registry.size());
        assertEquals(0, registry.references("x"));
        assertThrows(IllegalArgumentException.class, () -> registry.acquire("y", k -> {
            throw new IllegalArgumentException("not a model");
        }));
        assertEquals(0, registry.size());
    }

    @Test
    void concurrentAcquirersOfOneKeyWaitForASingleOpen() throws Exception {
        SharedRegistry<String, Res> registry = new SharedRegistry<>(2, "res");
        CountDownLatch opening = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger opens = new AtomicInteger();
        SharedRegistry.Opener<String, Res> slow = k -> {
            opens.incrementAndGet();
            opening.countDown();
            try {
                assertTrue(release.await(10, TimeUnit.SECONDS));
            } catch (InterruptedException ex) {
                throw new IOException(ex);
            }
            return new Res(k);
        };
        List<SharedRegistry<String, Res>.Lease> leases = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    leases.add(registry.acquire("m", slow));
                } catch (IOException ex) {
                    throw new RuntimeException(ex);
                }
            }));
        }
        assertTrue(opening.await(10, TimeUnit.SECONDS));
        // another key is not blocked by the slow open
        SharedRegistry<String, Res>.Lease other = registry.acquire("other", Res::new);
        assertEquals("other", other.value().key);
        release.countDown();
        for (Thread t : threads) {
            t.join(10_000);
            assertFalse(t.isAlive());
        }
        assertEquals(1, opens.get());
        assertEquals(4, leases.size());
        for (SharedRegistry<String, Res>.Lease l : leases) {
            assertSame(leases.get(0).value(), l.value());
        }
        assertEquals(4, registry.references("m"));
        Res res = leases.get(0).value();
        for (SharedRegistry<String, Res>.Lease l : leases) {
            l.close();
        }
        assertEquals(1, res.closes.get());
        other.close();
        assertEquals(0, registry.size());
    }
}
