package dev.neox4j.langchain4j;

import dev.langchain4j.model.output.Response;
import dev.neox4j.hub.HubSettings;
import dev.neox4j.hub.HubStandIn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The builders' {@code model(String reference)}: a local path or an {@code hf://} reference. */
class ModelReferenceBuilderTest {

    @TempDir
    Path cache;

    @Test
    void aHubReferenceIsDownloadedAndServedLikeTheLocalFile() throws Exception {
        try (HubStandIn hub = new HubStandIn()) {
            hub.repo("acme/tiny-GGUF").commit("main", Map.of("tiny.F32.gguf", Files.readAllBytes(TinyModel.PATH)));
            HubSettings settings = new HubSettings(hub.endpoint(), Optional.empty(), false, cache);
            try (NeoxLanguageModel fromHub = NeoxLanguageModel.builder().model("hf://acme/tiny-GGUF:f32")
                    .hubSettings(settings).threads(1).contextLength(TinyModel.CONTEXT).temperature(0).maxTokens(5)
                    .build();
                 NeoxLanguageModel local = NeoxLanguageModel.builder().model(TinyModel.PATH.toString()).threads(1)
                         .contextLength(TinyModel.CONTEXT).temperature(0).maxTokens(5).build()) {
                Response<String> a = fromHub.generate("The capital of France is");
                assertEquals(5, a.tokenUsage().outputTokenCount());
                assertEquals(local.generate("The capital of France is").content(), a.content());
            }
            assertTrue(Files.isDirectory(cache.resolve("models--acme--tiny-GGUF/blobs")));
        }
    }

    @Test
    void aReferenceThatCannotBeResolvedSaysWhy() {
        HubSettings offline = new HubSettings("http://127.0.0.1:1", Optional.empty(), true, cache);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> NeoxLanguageModel.builder()
                .model("hf://acme/none:Q4_0").hubSettings(offline).build());
        assertTrue(e.getMessage().contains("HF_HUB_OFFLINE"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NeoxLanguageModel.builder().model("x.gguf")
                .modelPath(TinyModel.PATH).build());
    }
}
