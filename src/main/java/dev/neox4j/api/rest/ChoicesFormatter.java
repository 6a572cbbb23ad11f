package dev.neox4j.api.rest;

import dev.neox4j.api.rest.CommonDtos.TimingsDto;
import dev.neox4j.api.rest.CommonDtos.UsageDto;
import dev.neox4j.engine.runtime.Completion;
import dev.neox4j.engine.runtime.FinishReason;
import dev.neox4j.engine.runtime.GeneratedToken;
import dev.neox4j.engine.runtime.Timings;
import dev.neox4j.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the chat and the text-completion formatters share: one state object per choice, the dispatch of sequence
 * events, the error for a sequence the engine cancelled, and the {@code usage} and {@code timings} summed over the
 * choices (each prompt's tokens counted once).
 *
 * @param <C> the per-choice state
 */
abstract class ChoicesFormatter<C extends ChoicesFormatter.ChoiceState> implements ResponseFormatter {

    /** The state every choice has: its sequence and, once it finished, its completion. */
    static class ChoiceState {
        final SequenceSpec spec;
        Completion done;

        ChoiceState(SequenceSpec spec) {
            this.spec = spec;
        }
    }

    final GenerationPlan plan;
    final LogprobFormat format;
    final String id;
    final long created;
    /** The choices, in {@code index} order. */
    final List<C> choices;
    private final Supplier<ApiException> cancelled;

    /**
     * @param id        the response id
     * @param newChoice the state of one choice
     * @param cancelled the error for a sequence the engine cancelled (null: cancelled on the client's behalf, no error)
     */
    ChoicesFormatter(GenerationPlan plan, Tokenizer tokenizer, String id, Function<SequenceSpec, C> newChoice,
                     Supplier<ApiException> cancelled) {
        this.plan = plan;
        this.format = new LogprobFormat(tokenizer, plan.tokenIdsAsStrings());
        this.cancelled = cancelled;
        this.id = id;
        this.created = Ids.now();
        List<C> all = new ArrayList<>(plan.sequences().size());
        for (SequenceSpec s : plan.sequences()) {
            all.add(newChoice.apply(s));
        }
        this.choices = List.copyOf(all);
    }

    @Override
    public final List<Object> onEvent(SequenceEvent event) {
        C c = choices.get(event.index());
        return switch (event) {
            case SequenceEvent.Token t -> token(c, t.token());
            case SequenceEvent.Done d -> done(c, d.completion());
        };
    }

    /** Records a token; returns the chunks to stream for it. */
    abstract List<Object> token(C c, GeneratedToken token);

    private List<Object> done(C c, Completion completion) {
        if (completion.finishReason() == FinishReason.CANCELLED) {
            ApiException error = cancelled.get();
            if (error == null) {
                c.done = completion; // cancelled on the client's behalf: the response is gone, nothing to report
                return List.of();
            }
            throw error;
        }
        c.done = completion;
        return plan.stream() ? finished(c, completion) : List.of();
    }

    /** The chunks that end a streamed choice (its finish reason). */
    abstract List<Object> finished(C c, Completion completion);

    @Override
    public final List<Object> end() {
        return plan.includeUsage() ? List.of(usageChunk(usage(), timings())) : List.of();
    }

    /** The last chunk of a stream with {@code stream_options.include_usage}: no choices, the usage. */
    abstract Object usageChunk(UsageDto usage, TimingsDto timings);

    /**
     * Usage over every choice: each prompt's tokens once, every choice's generated tokens; a prompt's cached tokens
     * are the fewest any of its choices reused (its choices share one evaluation of the prompt).
     */
    UsageDto usage() {
        int prompt = 0;
        int completion = 0;
        int cached = 0;
        int lastPrompt = -1;
        int promptCached = 0;
        for (C c : choices) {
            if (c.spec.promptIndex() != lastPrompt) {
                cached += lastPrompt >= 0 ? promptCached : 0;
                prompt += c.done.usage().promptTokens();
                lastPrompt = c.spec.promptIndex();
                promptCached = c.done.usage().cachedTokens();
            }
            promptCached = Math.min(promptCached, c.done.usage().cachedTokens());
            completion += c.done.usage().completionTokens();
        }
        return UsageDto.of(prompt, completion, cached + (lastPrompt >= 0 ? promptCached : 0));
    }

    /** Timings summed over every choice. */
    TimingsDto timings() {
        List<Timings> all = new ArrayList<>(choices.size());
        for (C c : choices) {
            all.add(c.done.timings());
        }
        return TimingsDto.sum(all);
    }
}
