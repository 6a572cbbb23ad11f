package dev.neox4j.api;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiLanguageModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingLanguageModel;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.Response;
import dev.neox4j.langchain4j.ChatStreamCollector;
import dev.neox4j.langchain4j.TextStreamCollector;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** LangChain4j's OpenAI module as a real client of the running server: completion and chat, streaming and not. */
@QuarkusTest
class LangChain4jOpenAiClientTest extends ServerTestBase {

    String baseUrl;

    @BeforeEach
    void ready() {
        baseUrl = base.resolve("/v1").toString();
    }

    String restCompletion(String prompt, int maxTokens) {
        return given().contentType("application/json").body(java.util.Map.of("prompt", prompt, "max_tokens",
                maxTokens, "temperature", 0)).post("/v1/completions").then().statusCode(200).extract()
                .path("choices[0].text");
    }

    @Test
    void languageModel() {
        OpenAiLanguageModel model = OpenAiLanguageModel.builder().baseUrl(baseUrl).apiKey("none")
                .modelName("neox4j-demo").temperature(0.0).timeout(Duration.ofSeconds(60)).build();
        Response<String> r = model.generate("The capital of France is");
        assertEquals(restCompletion("The capital of France is", 16), r.content());
        assertNotNull(r.tokenUsage());
        assertTrue(r.tokenUsage().inputTokenCount() > 0);
        assertTrue(r.tokenUsage().outputTokenCount() <= 16);
        assertTrue(r.finishReason() == FinishReason.LENGTH || r.finishReason() == FinishReason.STOP);
    }

    @Test
    void streamingLanguageModel() throws Exception {
        OpenAiStreamingLanguageModel model = OpenAiStreamingLanguageModel.builder().baseUrl(baseUrl).apiKey("none")
                .modelName("neox4j-demo").temperature(0.0).timeout(Duration.ofSeconds(60)).build();
        TextStreamCollector c = new TextStreamCollector();
        model.generate("The capital of France is", c);
        Response<String> r = c.done.get(60, TimeUnit.SECONDS);
        String expected = restCompletion("The capital of France is", 16);
        assertEquals(expected, c.text());
        assertEquals(expected, r.content());
    }

    @Test
    void chatModel() {
        OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(baseUrl).apiKey("none").modelName("neox4j-demo")
                .temperature(0.0).maxTokens(8).timeout(Duration.ofSeconds(60)).build();
        ChatResponse r = model.chat(SystemMessage.from("Be brief."), UserMessage.from("Hello there"));
        AiMessage m = r.aiMessage();
        assertNotNull(m.text());
        assertEquals(m.text().strip(), m.text());
        assertTrue(r.tokenUsage().outputTokenCount() <= 8);
        assertTrue(r.finishReason() == FinishReason.LENGTH || r.finishReason() == FinishReason.STOP);
        String rest = given().contentType("application/json").body(java.util.Map.of("messages", java.util.List.of(
                java.util.Map.of("role", "system", "content", "Be brief."),
                java.util.Map.of("role", "user", "content", "Hello there")), "max_tokens", 8, "temperature", 0))
                .post("/v1/chat/completions").then().statusCode(200).extract().path("choices[0].message.content");
        assertEquals(rest, m.text());
    }

    @Test
    void streamingChatModel() throws Exception {
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder().baseUrl(baseUrl).apiKey("none")
                .modelName("neox4j-demo").temperature(0.0).maxTokens(8).timeout(Duration.ofSeconds(60)).build();
        ChatStreamCollector c = new ChatStreamCollector();
        model.chat("Hello there", c);
        ChatResponse r = c.done.get(60, TimeUnit.SECONDS);
        assertEquals(r.aiMessage().text().strip(), c.text(), "the streamed deltas are trimmed like the reply");
        assertNotNull(r.tokenUsage(), "usage from stream_options.include_usage");
        assertTrue(r.tokenUsage().inputTokenCount() > 0);
        assertNotNull(r.finishReason());
    }
}
