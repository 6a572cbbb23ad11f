package dev.neox4j.cli;

import dev.neox4j.engine.runtime.Engine;
import dev.neox4j.engine.runtime.EngineOptions;
import dev.neox4j.engine.runtime.Perplexity;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The {@code perplexity} command's work ({@link PerplexityCommand} only parses the arguments): loads the model into
 * an engine of its own, tokenizes the text once and runs {@link Perplexity} over it, printing llama-perplexity's
 * progress line ({@code [1]x,[2]y,...}, the running estimate after each chunk) and its final line
 * {@code Final estimate: PPL = x +/- y}.
 */
public final class PerplexityRunner {

    private final PrintWriter out;
    private final PrintWriter err;

    public PerplexityRunner(PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
    }

    /**
     * Runs the computation.
     *
     * @param model   a local model (GGUF file or checkpoint directory)
     * @param text    the text file (UTF-8)
     * @param ctx     chunk length
     * @param batch   tokens evaluated per forward pass; {@code batch / ctx} chunks run at once (at least one)
     * @param threads worker threads (0 = all cores)
     * @return the result
     */
    public Perplexity.Result run(Path model, Path text, int ctx, int batch, int threads)
            throws IOException, InterruptedException {
        if (ctx < 4) {
            throw new IllegalArgumentException("--ctx must be at least 4, got " + ctx);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        }
        String content = Files.readString(text, StandardCharsets.UTF_8);
        int parallel = Math.max(1, batch / ctx);
        EngineOptions options = EngineOptions.builder(model).contextLength(ctx).maxSequences(parallel)
                .threads(threads).prefillChunk(Math.min(batch, ctx)).queueSize(parallel).build();
        try (Engine engine = Engine.open(options)) {
            int[] tokens = Perplexity.tokenize(engine.tokenizer(), content);
            err.printf(Locale.ROOT, "perplexity: tokenized %s: %d tokens%n", text.getFileName(), tokens.length);
            err.printf(Locale.ROOT, "perplexity: calculating perplexity over %d chunks, n_ctx=%d, batch_size=%d, "
                    + "n_seq=%d%n", tokens.length / ctx, ctx, batch, parallel);
            err.flush();
            long t0 = System.nanoTime();
            CompletableFuture<Perplexity.Result> f = Perplexity.start(engine, tokens, ctx, 0, "perplexity",
                    p -> {
                        out.printf(Locale.ROOT, "[%d]%.4f,", p.chunk(), p.perplexity());
                        out.flush();
                    });
            Perplexity.Result r;
            try {
                r = f.get();
            } catch (InterruptedException e) {
                f.cancel(true);
                throw e;
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                throw c instanceof RuntimeException re ? re : new IllegalStateException(c);
            }
            out.println();
            err.printf(Locale.ROOT, "perplexity: %d tokens scored in %.1f s%n", r.scored(),
                    (System.nanoTime() - t0) / 1e9);
            out.println(r.finalEstimate());
            out.flush();
            return r;
        }
    }
}
