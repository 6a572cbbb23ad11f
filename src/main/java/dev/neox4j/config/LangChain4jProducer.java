package dev.neox4j.config;

import dev.langchain4j.exception.RetriableException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.language.LanguageModel;
import dev.langchain4j.model.language.StreamingLanguageModel;
import dev.neox4j.engine.runtime.Engine;
import dev.neox4j.langchain4j.NeoxChatModel;
import dev.neox4j.langchain4j.NeoxChatModelBuilder;
import dev.neox4j.langchain4j.NeoxLanguageModel;
import dev.neox4j.langchain4j.NeoxModelBuilder;
import dev.neox4j.langchain4j.NeoxStreamingChatModel;
import dev.neox4j.langchain4j.NeoxStreamingLanguageModel;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;

import java.util.List;
import java.util.function.Supplier;

/**
 * The four LangChain4j models as CDI beans on the service's engine, so that an application can
 * {@code @Inject ChatModel}, {@code StreamingChatModel}, {@code LanguageModel} or {@code StreamingLanguageModel}
 * next to the REST API (one copy of the weights, one scheduler for both). Generation defaults come from
 * {@link LangChain4jConfig} ({@code neox.langchain4j.*}), the chat template from {@code neox.chat.*}, and every
 * {@link ChatModelListener} bean is attached to the chat models.
 *
 * <p>The engine loads in the background ({@link EngineHolder}); the beans look it up on every request, so they
 * can be injected at once and fail a request made before the model is ready with a LangChain4j
 * {@link RetriableException} (HTTP 503 semantics). The beans are {@link DefaultBean}s: an application that
 * produces its own model of one of these types replaces ours.
 */
@ApplicationScoped
public class LangChain4jProducer {

    private final EngineHolder holder;
    private final LangChain4jConfig config;
    private final Instance<ChatModelListener> listeners;

    @Inject
    public LangChain4jProducer(EngineHolder holder, LangChain4jConfig config, Instance<ChatModelListener> listeners) {
        this.holder = holder;
        this.config = config;
        this.listeners = listeners;
    }

    @Produces
    @ApplicationScoped
    @DefaultBean
    public ChatModel chatModel() {
        return chat(NeoxChatModel.builder()).build();
    }

    @Produces
    @ApplicationScoped
    @DefaultBean
    public StreamingChatModel streamingChatModel() {
        return chat(NeoxStreamingChatModel.builder()).build();
    }

    @Produces
    @ApplicationScoped
    @DefaultBean
    public LanguageModel languageModel() {
        return configure(NeoxLanguageModel.builder()).build();
    }

    @Produces
    @ApplicationScoped
    @DefaultBean
    public StreamingLanguageModel streamingLanguageModel() {
        return configure(NeoxStreamingLanguageModel.builder()).build();
    }

    void closeChat(@Disposes ChatModel model) {
        close(model);
    }

    void closeStreamingChat(@Disposes StreamingChatModel model) {
        close(model);
    }

    void closeLanguage(@Disposes LanguageModel model) {
        close(model);
    }

    void closeStreamingLanguage(@Disposes StreamingLanguageModel model) {
        close(model);
    }

    /** The service's engine, looked up per request; a LangChain4j exception while it is not ready. */
    Supplier<Engine> engineSupplier() {
        return () -> {
            try {
                return holder.require();
            } catch (EngineUnavailableException e) {
                throw new RetriableException("neox4j engine unavailable (" + e.state() + "): " + e.getMessage(), e);
            }
        };
    }

    private <B extends NeoxChatModelBuilder<B>> B chat(B builder) {
        return configure(builder)
                .chatTemplate(holder.chatTemplate())
                .listeners(List.copyOf(listeners.stream().toList()));
    }

    private <B extends NeoxModelBuilder<B>> B configure(B builder) {
        builder.engineSupplier(engineSupplier())
                .temperature(config.temperature())
                .maxTokens(config.maxTokens())
                .topP(config.topP())
                .topK(config.topK())
                .minP(config.minP())
                .repetitionPenalty(config.repetitionPenalty())
                .seed(config.seed().orElse(null));
        config.stop().ifPresent(builder::stop);
        config.timeout().ifPresent(builder::timeout);
        return builder;
    }

    private static void close(Object model) {
        if (model instanceof AutoCloseable c) {
            try {
                c.close(); // releases nothing but the model: the engine belongs to the EngineHolder
            } catch (Exception ignored) {
                // closing a supplier-backed model cannot fail
            }
        }
    }
}
