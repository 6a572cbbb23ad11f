package dev.neox4j.langchain4j;

import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import dev.neox4j.engine.sampling.SamplingSettings;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Builder defaults, per-request overrides and their validation. */
class GenerationSettingsTest {

    private static final GenerationSettings BASE = new GenerationSettings(SamplingSettings.builder().temperature(0.7)
            .topK(20).topP(0.9).minP(0.1).repetitionPenalty(1.1).presencePenalty(0.5).frequencyPenalty(0.25).seed(7L)
            .maxTokens(64).stop(List.of("###")).build(), 0);

    @Test
    void requestParametersOverrideOnlyWhatTheySet() {
        ChatRequestParameters p = DefaultChatRequestParameters.builder().temperature(0.0).maxOutputTokens(5).build();
        GenerationSettings s = BASE.overriddenBy(p);
        assertEquals(0.0, s.temperature());
        assertEquals(5, s.maxTokens());
        assertEquals(20, s.topK());
        assertEquals(0.9, s.topP());
        assertEquals(List.of("###"), s.stop());
        assertEquals(7L, s.seed());
        assertTrue(s.sampling().greedy());
    }

    @Test
    void everyGenericParameterReachesTheSampler() {
        ChatRequestParameters p = DefaultChatRequestParameters.builder().temperature(1.5).topK(3).topP(0.5)
                .presencePenalty(1.0).frequencyPenalty(-1.0).maxOutputTokens(9).stopSequences("END").build();
        GenerationSettings s = BASE.overriddenBy(p);
        SamplingSettings sp = s.sampling();
        assertEquals(1.5f, sp.temperature());
        assertEquals(3, sp.topK());
        assertEquals(0.5f, sp.topP());
        assertEquals(1.0f, sp.presencePenalty());
        assertEquals(-1.0f, sp.frequencyPenalty());
        assertEquals(0.1f, sp.minP());
        assertEquals(1.1f, sp.repetitionPenalty());
        assertEquals(7L, sp.seed());
        assertEquals(9, s.maxTokens());
        assertEquals(List.of("END"), s.stop());
    }

    @Test
    void neoxParametersCarrySeedMinPAndRepetitionPenalty() {
        GenerationSettings s = BASE.overriddenBy(NeoxChatRequestParameters.builder().seed(99L).minP(0.2)
                .repetitionPenalty(1.3).build());
        assertEquals(99L, s.seed());
        assertEquals(0.2, s.minP());
        assertEquals(1.3, s.repetitionPenalty());
        assertEquals(0.7, s.temperature());
    }

    @Test
    void templateStopsAreAppendedWithoutDuplicates() {
        GenerationSettings s = BASE.withExtraStops(List.of("\nUser:", "###"));
        assertEquals(List.of("###", "\nUser:"), s.stop());
    }

    @Test
    void outOfRangeRequestValuesAreInvalidRequests() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> BASE.overriddenBy(DefaultChatRequestParameters.builder().temperature(-1.0).build()));
        assertTrue(e.getMessage().contains("temperature"), e.getMessage());
        e = assertThrows(InvalidRequestException.class,
                () -> BASE.overriddenBy(DefaultChatRequestParameters.builder().maxOutputTokens(0).build()));
        assertTrue(e.getMessage().contains("maxTokens"), e.getMessage());
        e = assertThrows(InvalidRequestException.class,
                () -> BASE.overriddenBy(DefaultChatRequestParameters.builder().topP(1.5).build()));
        assertTrue(e.getMessage().contains("topP"), e.getMessage());
        assertTrue(e.getMessage().contains("between 0 and 1"), e.getMessage());
        e = assertThrows(InvalidRequestException.class,
                () -> BASE.overriddenBy(NeoxChatRequestParameters.builder().repetitionPenalty(0.0).build()));
        assertTrue(e.getMessage().startsWith("repetitionPenalty "), e.getMessage());
        e = assertThrows(InvalidRequestException.class,
                () -> BASE.overriddenBy(DefaultChatRequestParameters.builder().stopSequences("").build()));
        assertTrue(e.getMessage().contains("stop"), e.getMessage());
    }

    @Test
    void neoxParametersMergeLikeLangChain4jDoes() {
        NeoxChatRequestParameters defaults = NeoxChatRequestParameters.builder().temperature(0.5).seed(1L)
                .minP(0.1).build();
        // LangChain4j merges a model's defaults with a request's parameters by defaults.overrideWith(request)
        ChatRequestParameters merged = defaults.overrideWith(DefaultChatRequestParameters.builder().topK(4).build());
        NeoxChatRequestParameters n = assertInstanceOf(NeoxChatRequestParameters.class, merged);
        assertEquals(0.5, n.temperature());
        assertEquals(4, n.topK());
        assertEquals(1L, n.seed());
        merged = defaults.overrideWith(NeoxChatRequestParameters.builder().seed(2L).build());
        assertEquals(2L, ((NeoxChatRequestParameters) merged).seed());
        assertEquals(0.1, ((NeoxChatRequestParameters) merged).minP());
        // a generic parameter set overridden by neox parameters keeps the neox ones
        merged = DefaultChatRequestParameters.builder().temperature(0.3).build()
                .overrideWith(NeoxChatRequestParameters.builder().seed(3L).build());
        n = assertInstanceOf(NeoxChatRequestParameters.class, merged);
        assertEquals(0.3, n.temperature());
        assertEquals(3L, n.seed());
        assertNull(NeoxChatRequestParameters.EMPTY.seed());
        assertEquals(NeoxChatRequestParameters.builder().seed(5L).build(),
                NeoxChatRequestParameters.builder().seed(5L).build());
    }

    @Test
    void badBuilderValuesAreRejectedBeforeAnyEngineIsOpened() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NeoxLanguageModel.builder().modelPath(java.nio.file.Path.of("does-not-exist.gguf"))
                        .temperature(-0.5).build());
        assertTrue(e.getMessage().contains("temperature"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NeoxChatModel.builder().build());
        assertTrue(e.getMessage().contains("exactly one"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NeoxStreamingChatModel.builder()
                .engineSupplier(() -> null).threads(2).build());
        assertTrue(e.getMessage().contains("threads"), e.getMessage());
        java.io.UncheckedIOException io = assertThrows(java.io.UncheckedIOException.class,
                () -> NeoxStreamingLanguageModel.builder().modelPath(java.nio.file.Path.of("does-not-exist.gguf"))
                        .build());
        assertTrue(io.getMessage().contains("does-not-exist.gguf"), io.getMessage());
    }
}
