package dev.neox4j.langchain4j;

import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequestParameters;

import java.util.List;

/** What the two chat models share on top of {@link NeoxModelBase}: the chat core, its defaults and listeners. */
abstract class NeoxChatModelBase extends NeoxModelBase {

    final NeoxChatCore core;

    NeoxChatModelBase(NeoxChatCore core) {
        super(core.generator());
        this.core = core;
    }

    /** The builder defaults, as a {@link NeoxChatRequestParameters}. */
    public ChatRequestParameters defaultRequestParameters() {
        return core.defaultParameters();
    }

    /** The listeners called on every request, response and error. */
    public List<ChatModelListener> listeners() {
        return core.listeners();
    }
}
