package dev.neox4j.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.Result;
import dev.neox4j.engine.runtime.Engine;
import dev.neox4j.engine.runtime.EngineObserver;
import dev.neox4j.engine.runtime.EngineOptions;
import dev.neox4j.langchain4j.NeoxChatModel;
import dev.neox4j.langchain4j.NeoxTokenUsage;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * A multi-turn chat through a LangChain4j AI service ({@code AiServices} with a {@code MessageWindowChatMemory}, so
 * every turn resends the whole conversation, as chat clients do) on an in-process {@link NeoxChatModel}, run once
 * with the engine's prefix cache and once without it ({@code EngineOptions.prefixCache}, the library's side of
 * {@code neox.prefix-cache.enabled}). Prints per turn the prompt tokens, the cached ones
 * ({@link NeoxTokenUsage#cachedTokens()}), the evaluated ones, the queue wait, the time to first token and the
 * whole turn, then whether both runs gave the same replies (they must: a cache hit is exact) and one JSON line per
 * run starting with {@code {"bench":"neox4j-chat-turns"}.
 *
 * <p>Run: {@code ./mvnw -q test-compile exec:exec@chat-turns -Dbench.shape=pythia-410m -Dbench.type=Q8_0} (a
 * generated model with seeded random weights, cached under {@code target/bench-models/} like {@link Bench}'s) or
 * {@code -Dbench.model=FILE.gguf}; see {@link #HELP} for the {@code chat.*} options. Greedy decoding, one
 * conversation at a time; an untimed two-turn warm-up on an engine of its own comes first, so that neither run pays
 * for the JIT. A tool for BENCHMARKS.md, never a pass/fail test of its timings.
 */
public final class ChatTurnsBench {

    static final String HELP = """
            neox4j chat-turns bench: an N-turn chat through a LangChain4j AI service, with and without the prefix cache.
            System properties (with ./mvnw exec:exec@chat-turns pass them as -Dx=...):
              bench.model / bench.shape / bench.type / bench.mix / bench.dir / bench.seed
                              the model, as for the bench entry point (default: a generated pythia-1.4b Q4_0)
              bench.threads   worker threads (default: available processors)
              bench.kernels   auto | vector | scalar (auto)
              chat.turns      user turns (8)
              chat.maxTokens  tokens generated per reply at most (48)
              chat.context    KV positions per sequence (0 = the model's, default)
              chat.cache      both | on | off: the runs to make (both)
              chat.warmup     false: skip the untimed warm-up (default true)
            """;

    /** The system prompt: long enough that re-evaluating it every turn shows. */
    static final String SYSTEM = """
            You are the reference librarian of a small public library. You answer questions about the collection, \
            the opening hours, the reading rooms and the services of the library. Answer in two or three short \
            sentences, name the shelf or room where a reader finds what they ask about, and say so plainly when \
            you do not know. The library opens at nine in the morning and closes at eight in the evening on \
            weekdays, at five on Saturdays, and stays closed on Sundays and public holidays. Fiction is on the \
            ground floor, sorted by author; non-fiction is on the first floor, sorted by subject; newspapers, \
            magazines and the local history collection are in the reading room on the second floor. Readers may \
            borrow up to ten items for three weeks and renew them twice, unless another reader has reserved them.""";

    /** The user turns, in order (repeated when more turns are asked for). */
    static final List<String> QUESTIONS = List.of(
            "Good morning. Where do I find books about the history of the railways in this region?",
            "Thank you. Can I borrow the old maps of the town, or must they stay in the reading room?",
            "I would also like a novel for my daughter, who is twelve and likes stories about the sea.",
            "How long can we keep the novel, and what happens if we bring it back a few days late?",
            "Is there a quiet place where I can work on my laptop this afternoon, with a power socket?",
            "Do you have newspapers from the year my grandfather was born, nineteen hundred and twenty-eight?",
            "Can you reserve the second volume of the railway history for me when it comes back?",
            "One last question: are you open next Saturday afternoon, and until what time?");

    /** The options of a run; see {@link #HELP}. */
    record Options(BenchOptions bench, int turns, int maxTokens, int context, List<Boolean> cacheRuns, boolean warmup) {

        static Options from(Properties p) {
            BenchOptions bench = BenchOptions.from(p);
            String cache = BenchOptions.get(p, "chat.cache", "both").toLowerCase(Locale.ROOT);
            List<Boolean> runs = switch (cache) {
                case "both" -> List.of(true, false);
                case "on" -> List.of(true);
                case "off" -> List.of(false);
                default -> throw new IllegalArgumentException("chat.cache must be both, on or off, got '" + cache + "'");
            };
            return new Options(bench, BenchOptions.intOpt(p, "chat.turns", 8, 1, 64),
                    BenchOptions.intOpt(p, "chat.maxTokens", 48, 1, 4096),
                    BenchOptions.intOpt(p, "chat.context", 0, 0, 1 << 20), runs,
                    Boolean.parseBoolean(BenchOptions.get(p, "chat.warmup", "true")));
        }
    }

    /**
     * One turn's figures.
     *
     * @param promptTokens the whole conversation's tokens sent this turn
     * @param cachedTokens those the prefix cache supplied
     * @param queueMs      submission to getting a KV slot
     * @param ttftMs       submission to the first generated token (0 when none was generated)
     * @param turnMs       the AI service call, end to end
     */
    record Turn(int turn, int promptTokens, int cachedTokens, int generatedTokens, double queueMs, double ttftMs,
                double turnMs, String reply) {

        int evaluatedTokens() {
            return promptTokens - cachedTokens;
        }
    }

    /** The AI service: a chat with memory. */
    interface Assistant {
        Result<String> chat(String message);
    }

    private ChatTurnsBench() {
    }

    public static void main(String[] args) throws Exception {
        Options o = Bench.options(args, "chat-turns", HELP, Options::from);
        if (o == null) {
            return;
        }
        run(o, System.out);
    }

    /**
     * Runs the chat once per {@link Options#cacheRuns()} and prints the tables and JSON lines.
     *
     * @return the turns of each run, keyed by whether the prefix cache was on
     */
    static Map<Boolean, List<Turn>> run(Options o, PrintStream out) throws Exception {
        Path model = Bench.model(o.bench(), out);
        out.printf(Locale.ROOT, "model: %s%n", model);
        if (o.warmup()) {
            try (Engine engine = Engine.open(options(o, model, false))) {
                chat(engine, o.maxTokens(), 2);
            }
        }
        Map<Boolean, List<Turn>> runs = new LinkedHashMap<>();
        ObjectMapper json = new ObjectMapper();
        for (boolean cache : o.cacheRuns()) {
            List<Turn> turns;
            try (Engine engine = Engine.open(options(o, model, cache))) {
                turns = chat(engine, o.maxTokens(), o.turns());
            }
            runs.put(cache, turns);
            print(out, cache, turns);
            out.println(json.writeValueAsString(record(o, model, cache, turns)));
        }
        if (runs.size() == 2) {
            boolean same = replies(runs.get(true)).equals(replies(runs.get(false)));
            out.printf(Locale.ROOT, "replies with and without the cache identical: %s%n", same ? "yes" : "NO");
        }
        return runs;
    }

    private static EngineOptions options(Options o, Path model, boolean cache) {
        // one conversation at a time: two slots (the turn and the KV kept for the next one's reuse)
        return EngineOptions.builder(model).threads(o.bench().threads()).kernels(o.bench().kernels())
                .contextLength(o.context()).maxSequences(2).prefixCache(cache, 0).build();
    }

    /** The chat: {@code turns} user messages through one AI service with memory, greedy. */
    static List<Turn> chat(Engine engine, int maxTokens, int turns) {
        TurnObserver observer = new TurnObserver();
        engine.addObserver(observer);
        try (NeoxChatModel model = NeoxChatModel.builder().engine(engine).temperature(0).maxTokens(maxTokens)
                .build()) {
            Assistant assistant = AiServices.builder(Assistant.class).chatModel(model)
                    .chatMemory(MessageWindowChatMemory.withMaxMessages(2 * turns + 1))
                    .systemMessageProvider(id -> SYSTEM).build();
            List<Turn> result = new ArrayList<>(turns);
            for (int i = 0; i < turns; i++) {
                observer.reset();
                long t0 = System.nanoTime();
                Result<String> r = assistant.chat(QUESTIONS.get(i % QUESTIONS.size()));
                double turnMs = (System.nanoTime() - t0) / 1e6;
                NeoxTokenUsage usage = (NeoxTokenUsage) r.tokenUsage();
                result.add(new Turn(i + 1, usage.inputTokenCount(), usage.cachedTokens(), usage.outputTokenCount(),
                        observer.queueMs, observer.ttftMs, turnMs, r.content()));
            }
            return result;
        } finally {
            engine.removeObserver(observer);
        }
    }

    /** The engine-side timings of the one request in flight. */
    private static final class TurnObserver implements EngineObserver {
        volatile double queueMs;
        volatile double ttftMs;

        void reset() {
            queueMs = 0;
            ttftMs = 0;
        }

        @Override
        public void started(String source, double queueSeconds, int promptTokens) {
            queueMs = queueSeconds * 1000;
        }

        @Override
        public void firstToken(String source, double seconds) {
            ttftMs = seconds * 1000;
        }
    }

    private static List<String> replies(List<Turn> turns) {
        return turns.stream().map(Turn::reply).toList();
    }

    private static void print(PrintStream out, boolean cache, List<Turn> turns) {
        out.printf(Locale.ROOT, "%nprefix cache %s%n", cache ? "on" : "off");
        out.println("| turn | prompt tokens | cached | evaluated | generated | queue ms | TTFT ms | turn ms |");
        out.println("|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Turn t : turns) {
            out.printf(Locale.ROOT, "| %d | %d | %d | %d | %d | %.1f | %.1f | %.1f |%n", t.turn(), t.promptTokens(),
                    t.cachedTokens(), t.evaluatedTokens(), t.generatedTokens(), t.queueMs(), t.ttftMs(), t.turnMs());
        }
        out.printf(Locale.ROOT, "| all | %d | %d | %d | %d | | %.1f | %.1f |%n",
                turns.stream().mapToInt(Turn::promptTokens).sum(), turns.stream().mapToInt(Turn::cachedTokens).sum(),
                turns.stream().mapToInt(Turn::evaluatedTokens).sum(),
                turns.stream().mapToInt(Turn::generatedTokens).sum(),
                turns.stream().mapToDouble(Turn::ttftMs).sum(), turns.stream().mapToDouble(Turn::turnMs).sum());
    }

    private static Map<String, Object> record(Options o, Path model, boolean cache, List<Turn> turns) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("bench", "neox4j-chat-turns");
        r.put("model", model.getFileName().toString());
        r.put("prefixCache", cache);
        r.put("threads", o.bench().threads());
        r.put("maxTokens", o.maxTokens());
        r.put("promptTokens", turns.stream().map(Turn::promptTokens).toList());
        r.put("cachedTokens", turns.stream().map(Turn::cachedTokens).toList());
        r.put("generatedTokens", turns.stream().map(Turn::generatedTokens).toList());
        r.put("ttftMs", turns.stream().map(t -> round(t.ttftMs())).toList());
        r.put("turnMs", turns.stream().map(t -> round(t.turnMs())).toList());
        r.put("totalTtftMs", round(turns.stream().mapToDouble(Turn::ttftMs).sum()));
        r.put("totalMs", round(turns.stream().mapToDouble(Turn::turnMs).sum()));
        return r;
    }

    private static double round(double ms) {
        return Math.round(ms * 10) / 10.0;
    }
}
