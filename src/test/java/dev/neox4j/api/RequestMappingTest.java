package dev.neox4j.api;

import dev.neox4j.api.rest.GenerationPlan;
import dev.neox4j.api.rest.GenerationService;
import dev.neox4j.api.rest.JsonFields;
import dev.neox4j.api.rest.RequestParser;
import dev.neox4j.api.rest.SequenceSpec;
import dev.neox4j.engine.runtime.ChatTemplate;
import dev.neox4j.engine.runtime.Completion;
import dev.neox4j.engine.runtime.FinishReason;
import dev.neox4j.engine.runtime.GeneratedToken;
import dev.neox4j.engine.runtime.GenerationListener;
import dev.neox4j.engine.runtime.GenerationRequest;
import dev.neox4j.engine.sampling.SamplingSettings;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every request field reaches the engine request with its value (the samplers themselves are tested in the engine). */
@QuarkusTest
class RequestMappingTest extends ServerTestBase {

    @Inject
    GenerationService service;

    GenerationPlan completion(Map<String, Object> body) {
        return service.parser().completion(JsonFields.of(ApiTestClient.JSON.valueToTree(body)), "completions");
    }

    @Test
    void clippingMaxTokensIsAnExplicitServerOptIn() throws Exception {
        var engine = holder.engine().orElseThrow();
        int ctx = engine.modelInfo().contextLength();
        JsonFields body = JsonFields.of(ApiTestClient.JSON.valueToTree(Map.of("prompt", "x", "max_tokens", ctx,
                "ignore_eos", true)));
        assertFalse(service.parser().completion(body, "completions").sequences().getFirst().request()
                .clipMaxTokens(), "off by default (neox.clip-max-tokens)");
        RequestParser clipping = new RequestParser(engine, "m", 5, ChatTemplate.DEFAULT, true);
        GenerationRequest r = clipping.completion(body, "completions").sequences().getFirst().request();
        assertTrue(r.clipMaxTokens());
        var done = new java.util.concurrent.CompletableFuture<Completion>();
        engine.submit(r, new GenerationListener() {
            @Override
            public void onToken(GeneratedToken token) {
            }

            @Override
            public void onComplete(Completion completion) {
                done.complete(completion);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        Completion c = done.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(FinishReason.LENGTH, c.finishReason());
        assertEquals(ctx - r.prompt().length + 1, c.tokens().length, "generates until the context is full");
    }

    @Test
    void everySamplingFieldIsMapped() {
        GenerationPlan plan = completion(Map.ofEntries(
                Map.entry("prompt", "map me"), Map.entry("max_tokens", 33), Map.entry("temperature", 0.7),
                Map.entry("top_p", 0.8), Map.entry("top_k", 40), Map.entry("min_p", 0.05),
                Map.entry("repetition_penalty", 1.2), Map.entry("presence_penalty", 0.3),
                Map.entry("frequency_penalty", -0.4), Map.entry("logit_bias", Map.of("11", 5, "12", -100)),
                Map.entry("seed", 99), Map.entry("stop", List.of("a", "bc")), Map.entry("ignore_eos", true),
                Map.entry("logprobs", 4), Map.entry("echo", true), Map.entry("n", 2),
                Map.entry("return_tokens_as_token_ids", true), Map.entry("stream", true),
                Map.entry("stream_options", Map.of("include_usage", true))));
        assertEquals(2, plan.sequences().size());
        assertTrue(plan.stream() && plan.includeUsage() && plan.echo() && plan.tokenIdsAsStrings());
        assertEquals(4, plan.logprobs());
        for (SequenceSpec spec : plan.sequences()) {
            GenerationRequest r = spec.request();
            assertArrayEquals(holder.engine().orElseThrow().tokenizer().encode("map me", true), r.prompt());
            assertEquals(33, r.maxTokens());
            assertEquals(List.of("a", "bc"), r.stop());
            assertTrue(r.ignoreEos());
            assertEquals(4, r.logprobs());
            assertTrue(r.echo());
            assertEquals("completions", r.source());
            SamplingSettings p = r.sampling();
            assertEquals(0.7f, p.temperature());
            assertEquals(0.8f, p.topP());
            assertEquals(40, p.topK());
            assertEquals(0.05f, p.minP());
            assertEquals(1.2f, p.repetitionPenalty());
            assertEquals(0.3f, p.presencePenalty());
            assertEquals(-0.4f, p.frequencyPenalty());
            assertEquals(Map.of(11, 5f, 12, -100f), p.logitBias());
        }
        // choice j of n gets seed + j, so the n samples differ but each is reproducible
        assertEquals(99L, plan.sequences().get(0).request().sampling().seed());
        assertEquals(100L, plan.sequences().get(1).request().sampling().seed());
    }

    @Test
    void openAiDefaults() {
        GenerationPlan plan = completion(Map.of("prompt", "defaults"));
        GenerationRequest r = plan.sequences().getFirst().request();
        assertEquals(16, r.maxTokens());
        assertEquals(1.0f, r.sampling().temperature());
        assertEquals(1.0f, r.sampling().topP());
        assertEquals(0, r.sampling().topK());
        assertEquals(1.0f, r.sampling().repetitionPenalty());
        assertNull(r.sampling().seed());
        assertEquals(-1, r.logprobs());
        assertFalse(r.echo() || r.ignoreEos() || plan.stream() || r.clipMaxTokens());
        assertEquals(List.of(), r.stop());
        GenerationPlan offTopK = completion(Map.of("prompt", "x", "top_k", -1));
        assertEquals(0, offTopK.sequences().getFirst().request().sampling().topK());
    }
}
