package dev.neox4j.hub;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The environment variables are read with huggingface_hub's precedence. */
class HubSettingsTest {

    @TempDir
    Path home;

    private HubSettings settings(Map<String, String> env) {
        return HubSettings.from(name -> Optional.ofNullable(env.get(name)), home);
    }

    @Test
    void defaults() {
        HubSettings s = settings(Map.of());
        assertEquals("https://huggingface.co", s.endpoint());
        assertEquals(home.resolve(".cache/huggingface/hub"), s.cacheDir());
        assertFalse(s.offline());
        assertTrue(s.token().isEmpty());
    }

    @Test
    void cacheRootPrecedence() {
        Map<String, String> env = new HashMap<>(Map.of("XDG_CACHE_HOME", "/xdg"));
        assertEquals(Path.of("/xdg/huggingface/hub"), settings(env).cacheDir());
        env.put("HF_HOME", "/hf");
        assertEquals(Path.of("/hf/hub"), settings(env).cacheDir());
        env.put("HUGGINGFACE_HUB_CACHE", "/legacy");
        assertEquals(Path.of("/legacy"), settings(env).cacheDir());
        env.put("HF_HUB_CACHE", "~/c");
        assertEquals(home.resolve("c"), settings(env).cacheDir());
    }

    @Test
    void tokenPrecedence() throws IOException {
        Files.createDirectories(home.resolve("hf"));
        Files.writeString(home.resolve("hf/token"), "hf_file\n");
        Map<String, String> env = new HashMap<>(Map.of("HF_HOME", home.resolve("hf").toString()));
        assertEquals(Optional.of("hf_file"), settings(env).token());
        env.put("HUGGING_FACE_HUB_TOKEN", "hf_legacy");
        assertEquals(Optional.of("hf_legacy"), settings(env).token());
        env.put("HF_TOKEN", " hf_env ");
        assertEquals(Optional.of("hf_env"), settings(env).token());
        env.put("HF_TOKEN", "");
        assertEquals(Optional.of("hf_legacy"), settings(env).token(), "an empty HF_TOKEN counts as unset");
        assertFalse(settings(env).toString().contains("hf_legacy"), "the token is never printed");
    }

    @Test
    void offlineAndEndpoint() {
        for (String on : new String[] {"1", "true", "YES", "on"}) {
            assertTrue(settings(Map.of("HF_HUB_OFFLINE", on)).offline(), on);
        }
        for (String off : new String[] {"0", "false", "no", ""}) {
            assertFalse(settings(Map.of("HF_HUB_OFFLINE", off)).offline(), off);
        }
        assertEquals("http://mirror:8080", settings(Map.of("HF_ENDPOINT", "http://mirror:8080/")).endpoint());
    }
}
