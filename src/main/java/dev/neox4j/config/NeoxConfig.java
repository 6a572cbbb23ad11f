package dev.neox4j.config;

import dev.neox4j.engine.checkpoint.FileType;
import dev.neox4j.engine.runtime.KvCacheType;
import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * All {@code neox.*} configuration keys of the service. Every key has a default, so the service starts with no
 * configuration at all (on the built-in demo model). Keys can be set in {@code application.properties}, as system
 * properties ({@code -Dneox.model=...}) or as environment variables ({@code NEOX_MODEL}, {@code NEOX_MAX_SEQUENCES},
 * ...: MicroProfile Config's environment mapping upper-cases the key and replaces {@code .} and {@code -} by
 * {@code _}). {@link EngineOptionsFactory} maps the engine part once into an
 * {@link dev.neox4j.engine.runtime.EngineOptions}.
 */
@ConfigMapping(prefix = "neox")
public interface NeoxConfig {

    /**
     * The GPT-NeoX / Pythia model to serve ({@code neox.model}, env {@code NEOX_MODEL}): a GGUF file or a transformers
     * checkpoint directory ({@code config.json}, {@code tokenizer.json}, {@code model.safetensors} /
     * {@code pytorch_model.bin}, sharded or not), or a Hugging Face Hub reference downloaded into the Hugging Face
     * cache before loading: {@code hf://OWNER/REPO[@REVISION]/FILE.gguf}, {@code hf://OWNER/REPO[@REVISION]:QUANT}
     * or {@code hf://OWNER/REPO[@REVISION]} (a checkpoint repository; see {@link dev.neox4j.hub.ModelReference}).
     * When absent the service serves a small built-in demo model (the real GPT-NeoX tokenizer with random weights)
     * and logs how to point it at a real model.
     */
    Optional<String> model();

    /**
     * Quantize the weights while loading ({@code neox.quantize}, env {@code NEOX_QUANTIZE}): {@code Q8_0},
     * {@code Q4_0}, {@code Q4_K_M}, ... (any {@link FileType}; per-tensor types as llama-quantize chooses them).
     * Absent (the default): a checkpoint's weights are served as stored (F32, F16 or BF16) and a GGUF file as it is.
     */
    Optional<FileType> quantize();

    /**
     * Model id used in the API ({@code /v1/models}, the {@code model} field of responses). Default: the file name
     * without {@code .gguf}, or {@code neox4j-demo} for the demo model.
     */
    Optional<String> modelId();

    /** Worker threads for the matmuls; {@code 0} (the default) uses all available processors. */
    @WithDefault("0")
    int threads();

    /** KV positions per sequence; {@code 0} (the default) uses the model's training context length. */
    @WithDefault("0")
    int contextLength();

    /** Sequences decoded together in one batch (KV slots in the pool). */
    @WithDefault("4")
    int maxSequences();

    /** Element type of the KV cache: {@code f16} (llama.cpp's default) or {@code f32}. */
    @WithDefault("f16")
    KvCacheType kvCacheType();

    /** Requests that may wait for a free slot; when the queue is full new requests get HTTP 429. */
    @WithDefault("64")
    int queueSize();

    /** Kernel family for the matmuls: {@code auto} (Vector API when available), {@code vector} or {@code scalar}. */
    @WithDefault("auto")
    Kernels kernels();

    /**
     * What to do when a request's prompt plus its {@code max_tokens} exceed the context: {@code false} (default)
     * answers 400 {@code context_length_exceeded} naming both numbers, as OpenAI and vLLM do; {@code true} keeps the
     * older behaviour of generating only what fits (the response ends with {@code finish_reason: length}).
     */
    @WithDefault("false")
    boolean clipMaxTokens();

    /** Prompt tokens evaluated per scheduler step and sequence, so long prompts don't stall running streams. */
    @WithDefault("256")
    int prefillChunk();

    /** Default time limit of one request (generation is cancelled when it expires); absent = no limit. */
    Optional<Duration> requestTimeout();

    /**
     * API keys accepted as {@code Authorization: Bearer <key>}. When absent or empty the API is open; when set,
     * every API endpoint requires one of them ({@code /q/health/*}, {@code /q/metrics}, {@code /q/openapi} stay open).
     */
    Optional<List<String>> apiKeys();

    /**
     * Whether the process exits with status 1 when the model cannot be loaded (the default, so that orchestrators
     * see the failure at once). Dev and test profiles turn it off: the API then answers 503 with the reason.
     */
    @WithDefault("true")
    boolean exitOnLoadFailure();

    /** Upper bound of {@code logprobs} / {@code top_logprobs} a request may ask for (at most 20). */
    @WithDefault("20")
    int maxLogprobs();

    /** The plain-text template that renders chat messages into a prompt for the base model. */
    Chat chat();

    /** Graceful shutdown. */
    Shutdown shutdown();

    /** HTTP connection handling beyond Quarkus' own {@code quarkus.http.*} keys (README "HTTP limits and timeouts"). */
    Http http();

    /** Limits of {@code POST /v1/inspect} (README "Research API"). */
    Inspect inspect();

    /** Backpressure of streamed responses, SSE and WebSocket (README "Slow clients"). */
    Stream stream();

    /**
     * What a streamed request (SSE or WebSocket, all its {@code n} choices together) may hold in the server for a
     * client that reads slower than the engine writes. Past {@link #maxBufferedBytes()} its sequences are paused in
     * the engine: they keep their KV slots but take no decode steps, so a slow client neither grows the server's
     * memory nor slows the other sequences. They resume once the client has read half of it. Still paused after
     * {@link #stallTimeout()}, the request is cancelled, its slots freed, and its stream ends with a
     * {@code slow_client} error. {@code dev.neox4j.api.rest.StreamLimits} validates both.
     */
    interface Stream {
        /**
         * Most bytes of encoded events (estimated size as sent) one streamed request may have waiting for its
         * client before its sequences are paused. At least 1 KiB.
         */
        @WithDefault("1M")
        MemorySize maxBufferedBytes();

        /** How long a paused request may wait for its client to read before it is cancelled. Positive. */
        @WithDefault("30s")
        Duration stallTimeout();
    }

    /** Limits of {@code POST /v1/perplexity} (README "Perplexity"). */
    Perplexity perplexity();

    /**
     * Limits of {@code POST /v1/inspect}: a request beyond one of them is refused with a 400 that names the key.
     * Hidden states cost {@code n_tokens * n_embd * 4} bytes per layer and attention {@code n_head * n_tokens^2 * 4}
     * bytes per block before base64, so these bound the memory one request holds.
     */
    interface Inspect {
        /** Most prompt tokens of one inspection. */
        @WithDefault("512")
        int maxTokens();

        /** Most layers one inspection may ask for, hidden-state layers and attention blocks counted together. */
        @WithDefault("64")
        int maxLayers();

        /**
         * Most bytes of one response, estimated before the request runs (base64 tensors plus about 64 bytes per
         * logit-lens entry).
         */
        @WithDefault("64M")
        MemorySize maxResponseBytes();
    }

    /** Limits of {@code POST /v1/perplexity}. */
    interface Perplexity {
        /** Most tokens of the text of one request (each chunk of {@code ctx} tokens is one scheduler request). */
        @WithDefault("65536")
        int maxTokens();
    }

    /**
     * Whether the engine, once ready and until its first request, runs a few prompt and decode steps on its free
     * KV slots while idle, so that the JIT compiles the paths of prompts and of concurrent streams before a client
     * waits for them (the warm-up before ready covers one decoded token only). A request arriving meanwhile waits
     * for the step in progress (one forward pass of at most 8 decoding rows and 13 prompt tokens) and ends the
     * warm-up.
     */
    @WithDefault("true")
    boolean idleWarmUp();

    /** Automatic prefix caching (README "Prefix caching"). */
    PrefixCache prefixCache();

    /** Automatic prefix caching: a prompt's beginning whose KV a slot already holds is not evaluated again. */
    interface PrefixCache {
        /**
         * Whether a new request reuses the KV of the longest prompt prefix already computed (by a finished request
         * or a running one) instead of evaluating it again. Exact: the answer is the same, bit for bit.
         */
        @WithDefault("true")
        boolean enabled();

        /**
         * Most prompt positions idle KV slots keep for reuse, over all slots; past it the least recently used are
         * dropped. 0 (default) = every position of every slot ({@code neox.max-sequences} x the context length),
         * which costs no memory beyond the KV cache itself.
         */
        @WithDefault("0")
        long maxTokens();
    }

    /** HTTP connection handling. */
    interface Http {
        /**
         * How long a new connection may stay silent before its first request head is complete. A connection that
         * sends nothing, or stops in the middle of its headers, is closed after this time, so that idle sockets
         * cannot pile up. Once a request head has arrived the connection gets {@code quarkus.http.idle-timeout}
         * instead (default 30 minutes), so a stream that is quiet while its request waits for a slot is not cut and
         * a client's pooled keep-alive connection is not closed between its requests.
         */
        @WithDefault("10s")
        Duration headerTimeout();

        /**
         * The kernel's send buffer per connection ({@code SO_SNDBUF}). Absent (the default): the system's, which
         * Linux grows up to {@code net.ipv4.tcp_wmem}'s maximum (4 MB by default) for a client that does not read.
         * Set it to bound that memory per slow client (a streamed request buffers at most
         * {@code neox.stream.max-buffered-bytes} in the server besides it); a small value slows fast clients on
         * long-distance links.
         */
        Optional<MemorySize> sendBufferSize();
    }

    /**
     * The plain-text chat template ({@link dev.neox4j.engine.runtime.ChatTemplate}). Pythia is a base model, so
     * {@code /v1/chat/completions} renders the messages as plain text and generation stops where the model starts
     * the next user (or system) turn. With the defaults, {@code [system "Be brief.", user "Hi", assistant "Hello!",
     * user "Why?"]} becomes:
     * <pre>
     * Be brief.
     *
     * User: Hi
     * Assistant: Hello!
     * User: Why?
     * Assistant:</pre>
     */
    interface Chat {
        /** Written after the system messages at the start of the conversation. */
        @WithDefault("\n\n")
        String systemSuffix();

        /** Written before a system message that comes after the first user or assistant turn. */
        @WithDefault("System: ")
        String systemPrefix();

        /** Written before a user message. */
        @WithDefault("User: ")
        String userPrefix();

        /** Written before an assistant message. */
        @WithDefault("Assistant: ")
        String assistantPrefix();

        /** Written after every turn. */
        @WithDefault("\n")
        String separator();

        /** The end of the prompt; default: the assistant prefix without trailing spaces ({@code "Assistant:"}). */
        Optional<String> generationPrompt();
    }

    /** Graceful shutdown settings. */
    interface Shutdown {
        /** How long running requests may continue after SIGTERM before they are cancelled. */
        @WithDefault("30s")
        Duration drainTimeout();
    }

    /** Kernel families ({@code neox.kernels}). */
    enum Kernels {
        /** The Vector API kernels when the platform supports them, else scalar. */
        AUTO,
        /** Always the Vector API kernels. */
        VECTOR,
        /** Always the scalar reference kernels. */
        SCALAR;

        /** The spelling the engine expects. */
        public String value() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
