package dev.neox4j.engine.runtime;

import dev.neox4j.engine.tokenizer.Tokenizer;

import java.util.concurrent.CompletableFuture;

/**
 * Perplexity of a text the way llama-perplexity computes it, so that the figures compare directly:
 * <ol>
 *   <li>the whole text is tokenized once, with the model's own special-token rule ({@code add_bos_token}; never a
 *       BOS for Pythia) and control-token text such as {@code <|endoftext|>} read as plain text;</li>
 *   <li>the tokens are cut into {@code floor(n / ctx)} chunks of {@code ctx} tokens (the rest is dropped), each
 *       evaluated from an empty context; for a model that adds a BOS token, the chunk's first token is replaced by
 *       BOS; for one without (Pythia), the chunk starts with the text's own token;</li>
 *   <li>in every chunk, the first {@code ctx / 2} positions are context only, and every later token is scored:
 *       {@code ctx - 1 - ctx/2} negative log-likelihoods per chunk (the logits of the chunk's last position predict
 *       nothing);</li>
 *   <li>{@code PPL = exp(mean NLL)}, its uncertainty {@code PPL * sqrt((mean(NLL^2) - mean(NLL)^2) / (count - 1))}.
 *   </li>
 * </ol>
 * Chunks run through the engine's scheduler ({@link Engine#score}), as many at once as it has slots; the result is
 * the same whatever ran beside them.
 */
public final class Perplexity {

    /** llama-perplexity's default context. */
    public static final int DEFAULT_CONTEXT = 512;

    /**
     * The running estimate after a chunk.
     *
     * @param chunk      1-based chunk number
     * @param chunks     number of chunks
     * @param perplexity estimate over the chunks so far
     */
    public record Progress(int chunk, int chunks, double perplexity) {
    }

    /**
     * The final estimate.
     *
     * @param tokens          tokens of the text
     * @param context         chunk length
     * @param chunks          chunks evaluated
     * @param scored          tokens scored
     * @param perplexity      {@code exp(mean NLL)}
     * @param uncertainty     its standard error (as llama-perplexity prints after {@code +/-})
     * @param meanNll         mean negative log-likelihood (nats per token)
     * @param chunkPerplexity the running estimate after every chunk (what llama-perplexity prints as {@code [i]x})
     */
    public record Result(int tokens, int context, int chunks, int scored, double perplexity, double uncertainty,
                         double meanNll, double[] chunkPerplexity) {

        /** The line llama-perplexity ends with. */
        public String finalEstimate() {
            return String.format(java.util.Locale.ROOT, "Final estimate: PPL = %.4f +/- %.5f", perplexity,
                    uncertainty);
        }
    }

    /** Receives the running estimate after each chunk, in chunk order (from an engine thread). */
    @FunctionalInterface
    public interface Listener {
        void chunkDone(Progress progress);
    }

    private final Engine engine;
    private final int[] tokens;
    private final int context;
    private final int chunks;
    private final int window;
    private final long timeoutMillis;
    private final String source;
    private final Listener listener;
    private final double[][] scores;        // [chunks] logprobs of a finished chunk, until reported
    private final double[] running;         // [chunks]
    private final CompletableFuture<?>[] inFlight;
    private final CompletableFuture<Result> result = new CompletableFuture<>();
    private int nextToSubmit;
    private int nextToReport;
    private double nll;
    private double nll2;
    private int count;

    private Perplexity(Engine engine, int[] tokens, int context, long timeoutMillis, String source,
                       Listener listener) {
        this.engine = engine;
        this.tokens = tokens;
        this.context = context;
        this.chunks = tokens.length / context;
        this.window = Math.max(1, Math.min(chunks, engine.stats().slotsTotal()));
        this.timeoutMillis = timeoutMillis;
        this.source = source;
        this.listener = listener == null ? p -> { } : listener;
        this.scores = new double[chunks][];
        this.running = new double[chunks];
        this.inFlight = new CompletableFuture<?>[chunks];
    }

    /** Tokenizes {@code text} as llama-perplexity does (model's BOS rule, control-token text as plain text). */
    public static int[] tokenize(Tokenizer tokenizer, String text) {
        return tokenizer.encode(text, true, false);
    }

    /**
     * Starts the computation over {@code tokens} with chunks of {@code context} tokens. Cancelling the returned
     * future cancels the chunks still queued or running.
     *
     * @param timeoutMillis time limit per chunk (0 = the engine default)
     * @throws IllegalArgumentException if {@code context} is below 4 or beyond the engine's context, or the text has
     *                                  fewer than {@code 2 * context} tokens (llama-perplexity's minimum)
     */
    public static CompletableFuture<Result> start(Engine engine, int[] tokens, int context, long timeoutMillis,
                                                  String source, Listener listener) {
        int max = engine.modelInfo().contextLength();
        if (context < 4 || context > max) {
            throw new IllegalArgumentException("the perplexity context must be in 4.." + max + ", got " + context);
        }
        if (tokens.length < 2 * context) {
            throw new IllegalArgumentException("you need at least " + 2 * context + " tokens to evaluate perplexity "
                    + "with a context of " + context + "; the text has " + tokens.length);
        }
        Perplexity p = new Perplexity(engine, tokens.clone(), context, timeoutMillis, source, listener);
        p.result.whenComplete((r, e) -> {
            if (p.result.isCancelled()) {
                p.cancelAll();
            }
        });
        synchronized (p) {
            p.submitMore();
        }
        return p.result;
    }

    /** Submits chunks until {@link #window} are in flight; called with this object's lock held. */
    private void submitMore() {
        while (!result.isDone() && nextToSubmit < chunks && nextToSubmit - nextToReport < window) {
            int i = nextToSubmit++;
            int[] chunk = java.util.Arrays.copyOfRange(tokens, i * context, (i + 1) * context);
            if (engine.tokenizer().addBos()) {
                chunk[0] = engine.tokenizer().bosId();
            }
            CompletableFuture<double[]> f;
            try {
                f = engine.score(chunk, context / 2, timeoutMillis, source);
            } catch (RuntimeException e) {
                fail(e);
                return;
            }
            inFlight[i] = f;
            f.whenComplete((lp, e) -> chunkDone(i, lp, e));
        }
    }

    private synchronized void chunkDone(int i, double[] logprobs, Throwable error) {
        inFlight[i] = null;
        if (result.isDone()) {
            return;
        }
        if (error != null) {
            fail(error instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                    ? c.getCause() : error);
            return;
        }
        scores[i] = logprobs;
        while (nextToReport < chunks && scores[nextToReport] != null) {
            for (double lp : scores[nextToReport]) {
                nll -= lp;
                nll2 += lp * lp;
                count++;
            }
            scores[nextToReport] = null;
            running[nextToReport] = Math.exp(nll / count);
            nextToReport++;
            try {
                listener.chunkDone(new Progress(nextToReport, chunks, running[nextToReport - 1]));
            } catch (RuntimeException e) {
                fail(e);
                return;
            }
        }
        if (nextToReport == chunks) {
            double mean = nll / count;
            double var = nll2 / count - mean * mean;
            double ppl = Math.exp(mean);
            double err = var > 0 ? Math.sqrt(var / (count - 1)) * ppl : 0;
            result.complete(new Result(tokens.length, context, chunks, count, ppl, err, mean, running.clone()));
        } else {
            submitMore();
        }
    }

    private void fail(Throwable error) {
        result.completeExceptionally(error);
        cancelAll();
    }

    private synchronized void cancelAll() {
        for (CompletableFuture<?> f : inFlight) {
            if (f != null) {
                f.cancel(true);
            }
        }
    }
}
