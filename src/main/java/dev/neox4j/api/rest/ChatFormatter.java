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
import dev.neox4j.engine.runtime.GeneratedToken;
import dev.neox4j.engine.runtime.ReplyTrimmer;
import dev.neox4j.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Chat responses ({@code chat.completion} and {@code chat.completion.chunk}) with chat-shaped logprobs. The reply
 * is the generated text without the space the model writes after the generation prompt and without trailing
 * whitespace ({@link ChatTemplate#reply}); streamed deltas are trimmed the same way ({@link ReplyTrimmer}), so they
 * add up to the message content of the same request without {@code stream}.
 */
public final class ChatFormatter extends ChoicesFormatter<ChatFormatter.Choice> {

    private static final String ASSISTANT = "assistant";

    private final ChatTemplate template;

    /** Per-choice state. */
    static final class Choice extends ChoicesFormatter.ChoiceState {
        final List<ChatTokenLogprob> logprobs = new ArrayList<>();
        final ReplyTrimmer trimmer;

        Choice(SequenceSpec spec, ReplyTrimmer trimmer) {
            super(spec);
            this.trimmer = trimmer;
        }
    }

    public ChatFormatter(GenerationPlan plan, Tokenizer tokenizer, ChatTemplate template,
                         Supplier<ApiException> cancelled) {
        super(plan, tokenizer, Ids.chat(), spec -> new Choice(spec, template.replyTrimmer()), cancelled);
        this.template = template;
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
    List<Object> token(Choice c, GeneratedToken token) {
        ChatLogprobs single = null;
        if (plan.logprobs() >= 0 && token.logprob() != null) {
            ChatTokenLogprob entry = format.chat(token.logprob());
            c.logprobs.add(entry);
            single = new ChatLogprobs(List.of(entry));
        }
        String text = c.trimmer.next(token.text());
        if (!plan.stream() || (text.isEmpty() && single == null)) {
            return List.of();
        }
        return List.of(chunk(c.spec.index(), new ChatDelta(null, text), single, null, null));
    }

    @Override
    List<Object> finished(Choice c, Completion completion) {
        return List.of(chunk(c.spec.index(), new ChatDelta(null, null), null,
                ResponseFormatter.finishReason(completion), TimingsDto.of(completion.timings())));
    }

    @Override
    Object usageChunk(UsageDto usage, TimingsDto timings) {
        return new ChatChunk(id, "chat.completion.chunk", created, plan.model(), List.of(), usage, timings);
    }

    @Override
    public Object response() {
        List<ChatChoice> out = new ArrayList<>(choices.size());
        for (Choice c : choices) {
            ChatLogprobs logprobs = plan.logprobs() >= 0 ? new ChatLogprobs(c.logprobs) : null;
            out.add(new ChatChoice(c.spec.index(), new ChatMessage(ASSISTANT, template.reply(c.done.text())),
                    logprobs, ResponseFormatter.finishReason(c.done)));
        }
        return new ChatCompletionResponse(id, "chat.completion", created, plan.model(), out, usage(), timings());
    }
}
