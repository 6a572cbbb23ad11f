package dev.neox4j.langchain4j;

import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.RetriableException;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.neox4j.engine.runtime.Completion;
import dev.neox4j.engine.runtime.ContextOverflowException;
import dev.neox4j.engine.runtime.FinishReason;
import dev.neox4j.engine.runtime.GeneratedToken;
import dev.neox4j.engine.runtime.GenerationHandle;
import dev.neox4j.engine.runtime.QueueFullException;
import dev.neox4j.engine.runtime.Timings;
import dev.neox4j.engine.runtime.Usage;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The delivery rules of {@link StreamRelay}, driven by hand as the engine would drive it (so they are checked
 * independently of the engine's timing).
 */
class StreamRelayTest {

    /** Records events; optionally throws on the n-th partial. */
    static final class Recorder implements StreamRelay.Sink {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<Thread> threads = new CopyOnWriteArrayList<>();
        final CountDownLatch done = new CountDownLatch(1);
        volatile Throwable error;
        volatile Completion completion;
        final int throwOnPartial;

        Recorder(int throwOnPartial) {
            this.throwOnPartial = throwOnPartial;
        }

        @Override
        public void partial(String text, StreamingHandle handle) {
            threads.add(Thread.currentThread());
            events.add("partial:" + text);
            if (events.size() == throwOnPartial) {
                throw new IllegalStateException("handler failed");
            }
        }

        @Override
        public void complete(Completion c, String modelName) {
            events.add("complete:" + c.finishReason() + ":" + modelName);
            completion = c;
            done.countDown();
        }

        @Override
        public void error(Throwable e) {
            events.add("error:" + e.getClass().getSimpleName());
            error = e;
            done.countDown();
        }
    }

    static final class FakeHandle implements GenerationHandle {
        final AtomicBoolean cancelled = new AtomicBoolean();

        @Override
        public void cancel() {
            cancelled.set(true);
        }

        @Override
        public boolean isDone() {
            return false;
        }
    }

    private static Completion completion(FinishReason reason, String text, int generated) {
        return new Completion(reason, text, new int[generated], List.of(), new Usage(3, generated),
                new Timings(3, 1, generated, 1, 0, 1));
    }

    private static void awaitQuiet(StreamRelay relay) throws InterruptedException {
        TinyModel.await(relay::idle, "every event to be delivered or dropped");
    }

    @Test
    void deliversTokensInOrderThenCompletesOnceOffTheEngineThread() throws Exception {
        Recorder r = new Recorder(-1);
        StreamRelay relay = new StreamRelay(r, 0, "tiny");
        FakeHandle handle = new FakeHandle();
        relay.attach(handle);
        for (int i = 0; i < 200; i++) {
            relay.onToken(new GeneratedToken(i, i, "t" + i, null));
        }
        relay.onToken(new GeneratedToken(200, 7, "", null)); // an incomplete UTF-8 sequence: nothing to deliver
        relay.onComplete(completion(FinishReason.LENGTH, "x", 201));
        relay.onComplete(completion(FinishReason.STOP, "y", 1)); // a second end is never delivered
        relay.onError(new RuntimeException("late"));
        assertTrue(r.done.await(10, TimeUnit.SECONDS));
        awaitQuiet(relay);
        assertEquals(201, r.events.size());
        for (int i = 0; i < 200; i++) {
            assertEquals("partial:t" + i, r.events.get(i));
        }
        assertEquals("complete:LENGTH:tiny", r.events.get(200));
        for (Thread t : r.threads) {
            assertNotEquals(Thread.currentThread(), t);
            assertTrue(t.isVirtual());
        }
        assertFalse(handle.cancelled.get());
    }

    @Test
    void aThrowingHandlerCancelsTheSequenceAndGetsTheErrorOnce() throws Exception {
        Recorder r = new Recorder(2);
        StreamRelay relay = new StreamRelay(r, 0, "tiny");
        FakeHandle handle = new FakeHandle();
        relay.attach(handle);
        for (int i = 0; i < 5; i++) {
            relay.onToken(new GeneratedToken(i, i, "t" + i, null));
        }
        assertTrue(r.done.await(10, TimeUnit.SECONDS));
        relay.onComplete(completion(FinishReason.CANCELLED, "t0t1t2", 3));
        awaitQuiet(relay);
        assertTrue(handle.cancelled.get(), "the engine sequence must be cancelled");
        assertEquals(List.of("partial:t0", "partial:t1", "error:IllegalStateException"), r.events);
        assertEquals("handler failed", r.error.getMessage());
    }

    @Test
    void aCancelBeforeTheHandleIsAttachedStillCancelsTheSequence() {
        Recorder r = new Recorder(-1);
        StreamRelay relay = new StreamRelay(r, 0, "tiny");
        relay.cancel();
        assertTrue(relay.isCancelled());
        FakeHandle handle = new FakeHandle();
        relay.attach(handle);
        assertTrue(handle.cancelled.get());
    }

    @Test
    void nothingIsDeliveredAfterACancel() throws Exception {
        Recorder r = new Recorder(-1);
        StreamRelay relay = new StreamRelay(r, 0, "tiny");
        FakeHandle handle = new FakeHandle();
        relay.attach(handle);
        relay.cancel();
        relay.onToken(new GeneratedToken(0, 1, "a", null));
        relay.onComplete(completion(FinishReason.CANCELLED, "a", 1));
        awaitQuiet(relay);
        assertTrue(handle.cancelled.get());
        assertEquals(List.of(), r.events);
    }

    @Test
    void anEngineSideCancellationIsAnError() throws Exception {
        Recorder r = new Recorder(-1);
        StreamRelay relay = new StreamRelay(r, 0, "tiny");
        relay.attach(new FakeHandle());
        relay.onToken(new GeneratedToken(0, 1, "a", null));
        relay.onComplete(completion(FinishReason.CANCELLED, "a", 1));
        assertTrue(r.done.await(10, TimeUnit.SECONDS));
        assertEquals(List.of("partial:a", "error:RetriableException"), r.events);
        assertInstanceOf(RetriableException.class, r.error);
    }

    @Test
    void engineErrorsAreMappedToLangChain4jExceptions() throws Exception {
        Recorder full = new Recorder(-1);
        QueueFullException qf = new QueueFullException("queue full", 2);
        NeoxGenerator.failedStream(full, qf);
        assertTrue(full.done.await(10, TimeUnit.SECONDS));
        assertInstanceOf(RateLimitException.class, full.error);
        assertSame(qf, full.error.getCause());

        Recorder overflow = new Recorder(-1);
        StreamRelay relay = new StreamRelay(overflow, 0, "tiny");
        relay.onError(new ContextOverflowException(5000, 0, 2048));
        assertTrue(overflow.done.await(10, TimeUnit.SECONDS));
        assertInstanceOf(InvalidRequestException.class, overflow.error);
        assertTrue(overflow.error.getMessage().contains("2048"), overflow.error.getMessage());
    }

    @Test
    void anExceptionFromCompleteGoesToError() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        List<String> events = new CopyOnWriteArrayList<>();
        StreamRelay relay = new StreamRelay(new StreamRelay.Sink() {
            @Override
            public void partial(String text, StreamingHandle handle) {
            }

            @Override
            public void complete(Completion completion, String modelName) {
                events.add("complete");
                throw new IllegalStateException("boom");
            }

            @Override
            public void error(Throwable error) {
                events.add("error:" + error.getMessage());
                done.countDown();
            }
        }, 0, "tiny");
        relay.onComplete(completion(FinishReason.STOP, "", 0));
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertEquals(List.of("complete", "error:boom"), events);
    }
}
