package dev.neox4j.langchain4j;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Collects a LangChain4j stream (in-process or over HTTP): the partial texts and the threads they arrived on, the
 * final response or error, and how many terminal callbacks came. {@link ChatStreamCollector} and
 * {@link TextStreamCollector} adapt it to the chat and the text handler.
 *
 * @param <R> the final response
 */
public abstract class StreamCollector<R> {

    public final List<String> parts = new CopyOnWriteArrayList<>();
    public final List<Thread> threads = new CopyOnWriteArrayList<>();
    public final CompletableFuture<R> done = new CompletableFuture<>();
    public final AtomicInteger ends = new AtomicInteger();

    void part(String text) {
        threads.add(Thread.currentThread());
        parts.add(text);
    }

    void complete(R response) {
        ends.incrementAndGet();
        done.complete(response);
    }

    /** Both handler interfaces name their error callback so. */
    public void onError(Throwable error) {
        ends.incrementAndGet();
        done.completeExceptionally(error);
    }

    /** The partial texts joined. */
    public String text() {
        return String.join("", parts);
    }

    /** The error the stream ended with (fails if it completed or nothing came within 10 s). */
    public Throwable error() {
        ExecutionException e = assertThrows(ExecutionException.class, () -> done.get(10, TimeUnit.SECONDS));
        return e.getCause();
    }
}
