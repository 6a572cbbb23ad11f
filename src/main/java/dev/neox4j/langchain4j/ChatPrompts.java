package dev.neox4j.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.neox4j.engine.runtime.ChatTemplate;
import dev.neox4j.engine.runtime.ChatTurn;

import java.util.ArrayList;
import java.util.List;

/**
 * Renders LangChain4j chat messages into a plain-text prompt with the engine's {@link ChatTemplate} (the same
 * template as the REST chat endpoint), and refuses what a base model cannot do (tools, images, JSON mode).
 */
final class ChatPrompts {

    private ChatPrompts() {
    }

    /** A rendered prompt and the stop strings that end the assistant's turn. */
    record Rendered(String prompt, List<String> stops) {
    }

    /**
     * @throws UnsupportedFeatureException for tools, non-text content or a JSON response format
     * @throws InvalidRequestException     for an empty conversation
     */
    static Rendered render(ChatTemplate template, ChatRequest request) {
        if (request.toolSpecifications() != null && !request.toolSpecifications().isEmpty()) {
            throw new UnsupportedFeatureException("tools are not supported by neox4j (a base model)");
        }
        ResponseFormat format = request.responseFormat();
        if (format != null && format.type() == ResponseFormatType.JSON) {
            throw new UnsupportedFeatureException("JSON response format is not supported by neox4j");
        }
        List<ChatMessage> messages = request.messages();
        if (messages == null || messages.isEmpty()) {
            throw new InvalidRequestException("a chat request needs at least one message");
        }
        List<ChatTurn> turns = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            turns.add(turn(m));
        }
        return new Rendered(template.render(turns), template.stopStrings());
    }

    private static ChatTurn turn(ChatMessage m) {
        return switch (m) {
            case SystemMessage s -> ChatTurn.system(s.text());
            case UserMessage u -> ChatTurn.user(userText(u));
            case AiMessage a -> {
                if (a.hasToolExecutionRequests()) {
                    throw new UnsupportedFeatureException("tool execution requests are not supported by neox4j");
                }
                yield ChatTurn.assistant(a.text());
            }
            default -> throw new UnsupportedFeatureException(
                    "messages of type " + m.type() + " are not supported by neox4j (system, user and AI only)");
        };
    }

    private static String userText(UserMessage u) {
        if (u.hasSingleText()) {
            return u.singleText();
        }
        List<String> parts = new ArrayList<>(u.contents().size());
        for (Content c : u.contents()) {
            if (!(c instanceof TextContent t)) {
                throw new UnsupportedFeatureException(
                        "only text content is supported by neox4j, got " + c.type());
            }
            parts.add(t.text());
        }
        return ChatTurn.joinParts(parts);
    }
}
