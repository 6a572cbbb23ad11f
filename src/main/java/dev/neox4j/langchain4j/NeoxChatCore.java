package dev.neox4j.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.neox4j.engine.runtime.ChatTemplate;
import dev.neox4j.engine.runtime.Completion;
import dev.neox4j.engine.runtime.ReplyTrimmer;

import java.util.List;
import java.util.UUID;

/**
 * What the two chat models share: the generator, the chat template, the listeners, the builder defaults as
 * LangChain4j request parameters, and turning a request into a prompt and a completion into a response.
 */
final class NeoxChatCore {

    /** A chat request ready for the engine. */
    record Prepared(String prompt, GenerationSettings settings) {
    }

    private final NeoxGenerator generator;
    private final ChatTemplate template;
    private final List<ChatModelListener> listeners;
    private final NeoxChatRequestParameters defaultParameters;

    NeoxChatCore(NeoxGenerator generator, ChatTemplate template, List<ChatModelListener> listeners) {
        this.generator = generator;
        this.template = template;
        this.listeners = List.copyOf(listeners);
        GenerationSettings d = generator.defaults();
        this.defaultParameters = NeoxChatRequestParameters.builder()
                .temperature(d.temperature())
                .topK(d.topK())
                .topP(d.topP())
                .minP(d.minP())
                .repetitionPenalty(d.repetitionPenalty())
                .presencePenalty(d.presencePenalty())
                .frequencyPenalty(d.frequencyPenalty())
                .seed(d.seed())
                .maxOutputTokens(d.maxTokens())
                .stopSequences(d.stop())
                .build();
    }

    NeoxGenerator generator() {
        return generator;
    }

    List<ChatModelListener> listeners() {
        return listeners;
    }

    NeoxChatRequestParameters defaultParameters() {
        return defaultParameters;
    }

    /**
     * The prompt and settings of {@code request}: its parameters over the builder defaults (also when
     * {@code doChat} is called directly, without LangChain4j's merge), plus the template's end-of-turn stops.
     */
    Prepared prepare(ChatRequest request) {
        ChatPrompts.Rendered rendered = ChatPrompts.render(template, request);
        GenerationSettings settings = generator.defaults().overriddenBy(request.parameters())
                .withExtraStops(rendered.stops());
        return new Prepared(rendered.prompt(), settings);
    }

    /** Trims a streamed reply like {@link #response} trims the whole one. */
    ReplyTrimmer replyTrimmer() {
        return template.replyTrimmer();
    }

    /** The response for a completion; its text is the template's {@link ChatTemplate#reply} of the generated text. */
    ChatResponse response(Completion c, String modelName) {
        return ChatResponse.builder()
                .id("neox-" + UUID.randomUUID())
                .modelName(modelName)
                .aiMessage(AiMessage.from(template.reply(c.text())))
                .tokenUsage(NeoxGenerator.tokenUsage(c))
                .finishReason(NeoxGenerator.finishReason(c))
                .build();
    }
}
