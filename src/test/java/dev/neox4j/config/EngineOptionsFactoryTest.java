package dev.neox4j.config;

import dev.neox4j.engine.runtime.ChatTemplate;
import dev.neox4j.engine.runtime.ChatTurn;
import dev.neox4j.engine.checkpoint.FileType;
import dev.neox4j.engine.runtime.EngineOptions;
import dev.neox4j.engine.runtime.KvCacheType;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link NeoxConfig} defaults, environment mapping and the validation in {@link EngineOptionsFactory}. */
class EngineOptionsFactoryTest {

    static NeoxConfig config(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(NeoxConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withConverter(MemorySize.class, 200, new MemorySizeConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 500))
                .build();
        return config.getConfigMapping(NeoxConfig.class);
    }

    @Test
    void defaultsServeTheDemoModel() {
        NeoxConfig c = config(Map.of());
        assertTrue(c.model().isEmpty());
        assertTrue(c.apiKeys().isEmpty());
        assertEquals(Duration.ofSeconds(30), c.shutdown().drainTimeout());
        assertEquals(20, c.maxLogprobs());
        assertEquals("User: ", c.chat().userPrefix());
        assertEquals("\n", c.chat().separator());
        ChatTemplate t = EngineOptionsFactory.chatTemplate(c.chat());
        List<ChatTurn> turns = List.of(ChatTurn.system("Be brief."), ChatTurn.user("Hi"));
        assertEquals(ChatTemplate.DEFAULT.render(turns), t.render(turns));
        assertEquals(ChatTemplate.DEFAULT.stopStrings(), t.stopStrings());
        EngineOptions o = EngineOptionsFactory.from(c);
        assertNull(o.modelPath());
        assertEquals(EngineOptions.defaults(null), o);
    }

    @Test
    void everyKeyIsMapped() {
        NeoxConfig c = config(Map.ofEntries(
                Map.entry("neox.model", "/models/pythia.gguf"),
                Map.entry("neox.threads", "3"),
                Map.entry("neox.context-length", "512"),
                Map.entry("neox.max-sequences", "2"),
                Map.entry("neox.kv-cache-type", "f32"),
                Map.entry("neox.queue-size", "7"),
                Map.entry("neox.kernels", "scalar"),
                Map.entry("neox.prefill-chunk", "64"),
                Map.entry("neox.request-timeout", "90s"),
                Map.entry("neox.quantize", "Q4_K_M"),
                Map.entry("neox.api-keys", "k1,k2")));
        EngineOptions o = EngineOptionsFactory.from(c);
        assertEquals(new EngineOptions(Path.of("/models/pythia.gguf"), 3, 512, 2, KvCacheType.F32, 7, "scalar", 64,
                90_000, FileType.Q4_K_M, true, 0, true), o);
        assertEquals(List.of("k1", "k2"), c.apiKeys().orElseThrow());
    }

    @Test
    void environmentVariablesReachTheMapping() {
        // the SmallRye env source maps NEOX_MAX_SEQUENCES onto neox.max-sequences; simulate it with an env-style source
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(NeoxConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withConverter(MemorySize.class, 200, new MemorySizeConverter())
                .withSources(new io.smallrye.config.EnvConfigSource(
                        Map.of("NEOX_MODEL", "/m/x.gguf", "NEOX_MAX_SEQUENCES", "6"), 300) {
                })
                .build();
        NeoxConfig c = config.getConfigMapping(NeoxConfig.class);
        assertEquals("/m/x.gguf", c.model().orElseThrow());
        assertEquals(6, c.maxSequences());
    }

    @Test
    void chatTemplateKeysMapOntoTheTemplate() {
        NeoxConfig c = config(Map.of("neox.chat.user-prefix", "Q: ", "neox.chat.assistant-prefix", "A: ",
                "neox.chat.separator", "\n\n", "neox.chat.generation-prompt", "A:"));
        ChatTemplate t = EngineOptionsFactory.chatTemplate(c.chat());
        assertEquals("Q: Hi\n\nA: Hello\n\nQ: Why?\n\nA:",
                t.render(List.of(ChatTurn.user("Hi"), ChatTurn.assistant("Hello"), ChatTurn.user("Why?"))));
        assertTrue(t.stopStrings().contains("\n\nQ:"), t.stopStrings().toString());
    }

    @Test
    void outOfRangeValuesAreRefusedNamingEveryKey() {
        NeoxConfig c = config(Map.of("neox.max-sequences", "0", "neox.threads", "-1", "neox.max-logprobs", "21"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EngineOptionsFactory.from(c));
        assertTrue(e.getMessage().contains("neox.max-sequences"), e.getMessage());
        assertTrue(e.getMessage().contains("neox.threads"), e.getMessage());
        assertTrue(e.getMessage().contains("neox.max-logprobs"), e.getMessage());
        assertFalse(e.getMessage().contains("neox.queue-size"), e.getMessage());
    }

    @Test
    void unknownEnumValueIsRefused() {
        assertThrows(RuntimeException.class, () -> config(Map.of("neox.kv-cache-type", "q8")));
    }
}
