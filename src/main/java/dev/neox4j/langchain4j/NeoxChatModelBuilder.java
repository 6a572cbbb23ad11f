package dev.neox4j.langchain4j;

import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.neox4j.engine.runtime.ChatTemplate;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The settings of the chat models: those of {@link NeoxModelBuilder} plus the chat template that renders the
 * messages (default: the REST chat endpoint's default template) and the {@link ChatModelListener}s called on
 * every request, response and error.
 *
 * @param <B> the concrete builder
 */
public abstract class NeoxChatModelBuilder<B extends NeoxChatModelBuilder<B>> extends NeoxModelBuilder<B> {

    private ChatTemplate chatTemplate;
    private List<ChatModelListener> listeners = List.of();

    NeoxChatModelBuilder() {
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** The plain-text template that renders the messages (default: {@link ChatTemplate#DEFAULT}). */
    public B chatTemplate(ChatTemplate chatTemplate) {
        this.chatTemplate = chatTemplate;
        return self();
    }

    /** Listeners called on every request, response and error. */
    public B listeners(List<ChatModelListener> listeners) {
        this.listeners = listeners == null ? List.of() : List.copyOf(listeners);
        return self();
    }

    /** Listeners called on every request, response and error. */
    public B listeners(ChatModelListener... listeners) {
        return listeners(Arrays.asList(Objects.requireNonNull(listeners, "listeners")));
    }

    @Override
    ChatTemplate chatTemplate() {
        return chatTemplate != null ? chatTemplate : ChatTemplate.DEFAULT;
    }

    @Override
    List<ChatModelListener> chatListeners() {
        return listeners;
    }
}
