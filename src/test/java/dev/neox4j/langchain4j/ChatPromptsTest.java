package dev.neox4j.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.neox4j.engine.runtime.ChatTemplate;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** LangChain4j messages rendered with the shared plain-text template, and what a base model refuses. */
class ChatPromptsTest {

    @Test
    void rendersLikeTheRestChatEndpointAndStopsAtTheNextUserTurn() {
        ChatRequest request = ChatRequest.builder().messages(
                SystemMessage.from("Be brief."),
                UserMessage.from("Hi"),
                AiMessage.from("Hello!"),
                UserMessage.from("Why?")).build();
        ChatPrompts.Rendered r = ChatPrompts.render(ChatTemplate.DEFAULT, request);
        assertEquals("Be brief.\n\nUser: Hi\nAssistant: Hello!\nUser: Why?\nAssistant:", r.prompt());
        assertEquals(ChatTemplate.DEFAULT.stopStrings(), r.stops());
        assertTrue(r.stops().contains("\nUser:"), r.stops().toString());
    }

    @Test
    void multiPartTextIsJoinedAndACustomTemplateIsUsed() {
        ChatTemplate template = ChatTemplate.builder().userPrefix("Q: ").assistantPrefix("A: ").build();
        ChatRequest request = ChatRequest.builder().messages(
                UserMessage.from(TextContent.from("one"), TextContent.from("two"))).build();
        ChatPrompts.Rendered r = ChatPrompts.render(template, request);
        assertEquals("Q: one\ntwo\nA:", r.prompt());
        assertTrue(r.stops().contains("\nQ:"), r.stops().toString());
    }

    @Test
    void toolsImagesAndJsonModeAreRefusedWithAClearError() {
        ToolSpecification tool = ToolSpecification.builder().name("weather").description("weather").build();
        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class,
                () -> ChatPrompts.render(ChatTemplate.DEFAULT, ChatRequest.builder()
                        .messages(UserMessage.from("hi")).toolSpecifications(tool).build()));
        assertTrue(e.getMessage().contains("tools"), e.getMessage());
        e = assertThrows(UnsupportedFeatureException.class, () -> ChatPrompts.render(ChatTemplate.DEFAULT,
                ChatRequest.builder().messages(UserMessage.from(ImageContent.from("https://example.com/a.png")))
                        .build()));
        assertTrue(e.getMessage().contains("text"), e.getMessage());
        e = assertThrows(UnsupportedFeatureException.class, () -> ChatPrompts.render(ChatTemplate.DEFAULT,
                ChatRequest.builder().messages(UserMessage.from("hi")).responseFormat(ResponseFormat.JSON).build()));
        assertTrue(e.getMessage().contains("JSON"), e.getMessage());
        e = assertThrows(UnsupportedFeatureException.class, () -> ChatPrompts.render(ChatTemplate.DEFAULT,
                ChatRequest.builder().messages(UserMessage.from("hi"),
                        AiMessage.from(ToolExecutionRequest.builder().id("1").name("weather").arguments("{}").build()),
                        ToolExecutionResultMessage.from("1", "weather", "sunny")).build()));
        assertTrue(e.getMessage().contains("tool"), e.getMessage());
    }
}
