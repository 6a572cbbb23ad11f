package dev.neox4j.langchain4j;

import dev.neox4j.config.LangChain4jConfig;
import io.smallrye.config.WithDefault;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The service beans' {@code neox.langchain4j.*} defaults are the plain-Java builders' defaults. */
class LangChain4jConfigDefaultsTest {

    private static String def(String method) throws NoSuchMethodException {
        return LangChain4jConfig.class.getMethod(method).getAnnotation(WithDefault.class).value();
    }

    @Test
    void configDefaultsMatchTheBuilderDefaults() throws Exception {
        GenerationSettings d = GenerationSettings.DEFAULTS;
        assertEquals(d.temperature(), Double.parseDouble(def("temperature")));
        assertEquals(d.maxTokens(), Integer.parseInt(def("maxTokens")));
        assertEquals(d.topP(), Double.parseDouble(def("topP")));
        assertEquals(d.topK(), Integer.parseInt(def("topK")));
        assertEquals(d.minP(), Double.parseDouble(def("minP")));
        assertEquals(d.repetitionPenalty(), Double.parseDouble(def("repetitionPenalty")));
        assertEquals(null, d.seed());
    }
}
