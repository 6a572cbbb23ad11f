package dev.neox4j.engine.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** One tokenizer shared by several threads (its word cache is written concurrently) gives the same ids. */
class TokenizerConcurrencyTest {

    @Test
    void sharedTokenizerIsThreadSafe() throws InterruptedException {
        Tokenizer tok = TokenizerFixtures.load(TokenizerFixtures.FULL_GGUF);   // fresh, empty cache
        Tokenizer solo = TokenizerFixtures.load(TokenizerFixtures.FULL_GGUF);
        RandomText gen = new RandomText(31337L);
        List<String> texts = new ArrayList<>();
        List<int[]> expected = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            String s = gen.next(40);
            texts.add(s);
            expected.add(solo.encode(s, true));
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int offset = t * 97;
            Thread th = new Thread(() -> {
                try {
                    for (int round = 0; round < 5; round++) {
                        for (int k = 0; k < texts.size(); k++) {
                            int i = (k + offset) % texts.size();
                            assertArrayEquals(expected.get(i), tok.encode(texts.get(i), true));
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "tokenizer-test-" + t);
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        assertNull(failure.get());
    }
}
