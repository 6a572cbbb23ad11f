package dev.neox4j.api.rest;

import dev.neox4j.api.rest.ChatDtos.ChatChoice;
import dev.neox4j.api.rest.ChatDtos.ChatChunk;
import dev.neox4j.api.rest.ChatDtos.ChatChunkChoice;
import dev.neox4j.api.rest.ChatDtos.ChatCompletionResponse;
import dev.neox4j.api.rest.ChatDtos.ChatDelta;
import dev.neox4j.api.rest.ChatDtos.ChatLogprobs;
import dev.neox4j.api.rest.ChatDtos.ChatMessage;
import dev.neox4j.api.rest.ChatDtos.ChatTokenLogprob;
import dev.neox4j.api.rest.CommonDtos.TimingsDto;
import dev.neox4j.api.rest.CommonDtos.UsageDto;
import dev.neox4j.engine.runtime.ChatTemplate;
import dev.neox4j.engine.runtime.Completion;
import dev.neox4j.engine.runtime.FinishReason;
import dev.neox4j.engine.runtime.GeneratedToken;
import dev.neox4j.engine.runtime.Timings;
import dev.neox4j.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Chat responses ({@code chat.completion} and {@code chat.completion.chunk}) with chat-shaped logprobs. The reply
 * is the generated text without the space the model writes after the generation prompt ({@link ChatTemplate#reply});
 * streamed deltas drop that leading whitespace too.
 */
public final class ChatFormatter implements ResponseFormatter {

    private static final String ASSISTANT = "assistant";

    private final GenerationPlan plan;
    private final ChatTemplate template;
    private final LogprobFormat format;
    private final Supplier<ApiException> cancelled;
    private final String id;
    private final long created;
    private final Choice[] choices;

    /** Per-choice state. */
    private static final class Choice {
        final SequenceSpec spec;
        final List<ChatTokenLogprob> logprobs = new ArrayList<>();
        boolean started;
        Completion done;

        Choice(SequenceSpec spec) {
            this.spec = spec;
        }
    }

    public ChatFormatter(GenerationPlan plan, Tokenizer tokenizer, ChatTemplate template,
                         Supplier<ApiException> cancelled) {
        this.plan = plan;
        this.template = template;
        this.format = new LogprobFormat(tokenizer, plan.tokenIdsAsStrings());
        this.cancelled = cancelled;
        this.id = Ids.chat();
        this.created = Ids.now();
        this.choices = new Choice[plan.sequences().size()];
        for (SequenceSpec s : plan.sequences()) {
            choices[s.index()] = new Choice(s);
        }
    }

    private ChatChunk chunk(int index, ChatDelta delta, ChatLogprobs logprobs, String finishReason,
                            TimingsDto timings) {
        return new ChatChunk(id, "chat.completion.chunk", created, plan.model(),
                List.of(new ChatChunkChoice(index, delta, logprobs, finishReason)), null, timings);
    }

    @Override
    public List<Object> start() {
        List<Object> out = new ArrayList<>();
        for (Choice c : choices) {
            out.add(chunk(c.spec.index(), new ChatDelta(ASSISTANT, ""), null, null, null));
        }
        return out;
    }

    @Override
    public List<Object> onEvent(SequenceEvent event) {
        Choice c = choices[event.index()];
        return switch (event) {
            case SequenceEvent.Token t -> token(c, t.token());
            case SequenceEvent.Done d -> done(c, d.completion());
        };
    }

    private List<Object> token(Choice c, GeneratedToken token) {
        ChatLogprobs single = null;
        if (plan.logprobs() >= 0 && token.logprob() != null) {
            ChatTokenLogprob entry = format.chat(token.logprob());
            c.logprobs.add(entry);
            single = new ChatLogprobs(List.of(entry));
        }
        String text = token.text();
        if (!c.started) {
            text = text.stripLeading();
            c.started = !text.isEmpty();
        }
        if (!plan.stream() || (text.isEmpty() && single == null)) {
            return List.of();
        }
        return List.of(chunk(c.spec.index(), new ChatDelta(null, text), single, null, null));
    }

    private List<Object> done(Choice c, Completion completion) {
        if (completion.finishReason() == FinishReason.CANCELLED) {
            throw cancelled.get();
        }
        c.done = completion;
        if (!plan.stream()) {
            return List.of();
        }
        return List.of(chunk(c.spec.index(), new ChatDelta(null, null), null,
                ResponseFormatter.finishReason(completion), TimingsDto.of(completion.timings())));
    }

    @Override
    public List<Object> end() {
        if (!plan.includeUsage()) {
            return List.of();
        }
        return List.of(new ChatChunk(id, "chat.completion.chunk", created, plan.model(), List.of(), usage(),
                timings()));
    }

    private UsageDto usage() {
        int completion = 0;
        for (Choice c : choices) {
            completion += c.done.usage().completionTokens();
        }
        return UsageDto.of(choices[0].done.usage().promptTokens(), completion);
    }

    private TimingsDto timings() {
        List<Timings> all = new ArrayList<>(choices.length);
        for (Choice c : choices) {
            all.add(c.done.timings());
        }
        return TimingsDto.sum(all);
    }

    @Override
    public Object response() {
        List<ChatChoice> out = new ArrayList<>(choices.length);
        for (Choice c : choices) {
            ChatLogprobs logprobs = plan.logprobs() >= 0 ? new ChatLogprobs(c.logprobs) : null;
            out.add(new ChatChoice(c.spec.index(), new ChatMessage(ASSISTANT, template.reply(c.done.text())),
                    logprobs, ResponseFormatter.finishReason(c.done)));
        }
        return new ChatCompletionResponse(id, "chat.completion", created, plan.model(), out, usage(), timings());
    }
}
