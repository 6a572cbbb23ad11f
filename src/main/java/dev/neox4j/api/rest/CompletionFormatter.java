package dev.neox4j.api.rest;

import dev.neox4j.api.rest.CommonDtos.TimingsDto;
import dev.neox4j.api.rest.CommonDtos.UsageDto;
import dev.neox4j.api.rest.CompletionDtos.CompletionChoice;
import dev.neox4j.api.rest.CompletionDtos.CompletionResponse;
import dev.neox4j.api.rest.CompletionDtos.LegacyLogprobs;
import dev.neox4j.engine.runtime.Completion;
import dev.neox4j.engine.runtime.GeneratedToken;
import dev.neox4j.engine.runtime.TokenLogprob;
import dev.neox4j.engine.tokenizer.StreamingDecoder;
import dev.neox4j.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Text completion responses ({@code object: text_completion}) in OpenAI's legacy shape, with echo and legacy
 * logprobs ({@code tokens}, {@code token_logprobs}, {@code top_logprobs}, {@code text_offset}).
 *
 * <p>A stream with both {@code echo} and {@code logprobs} holds each choice's chunks until the sequence ends,
 * because the prompt's logprobs (which come first) are known only then.
 */
public final class CompletionFormatter extends ChoicesFormatter<CompletionFormatter.Choice> {

    private static final String OBJECT = "text_completion";

    private final Tokenizer tokenizer;
    private final boolean hold;

    /** Per-choice state. */
    static final class Choice extends ChoicesFormatter.ChoiceState {
        int offset;
        final List<String> tokens = new ArrayList<>();
        final List<Float> tokenLogprobs = new ArrayList<>();
        final List<Map<String, Float>> topLogprobs = new ArrayList<>();
        final List<Integer> textOffset = new ArrayList<>();
        final List<Object> held = new ArrayList<>();

        Choice(SequenceSpec spec, boolean echo) {
            super(spec);
            this.offset = echo ? ResponseFormatter.codePoints(spec.promptText()) : 0;
        }
    }

    /**
     * @param plan      the request
     * @param tokenizer the model's tokenizer
     * @param cancelled the error for a sequence the engine cancelled
     */
    public CompletionFormatter(GenerationPlan plan, Tokenizer tokenizer, Supplier<ApiException> cancelled) {
        super(plan, tokenizer, Ids.completion(), spec -> new Choice(spec, plan.echo()), cancelled);
        this.tokenizer = tokenizer;
        this.hold = plan.stream() && plan.echo() && plan.logprobs() >= 0;
    }

    /** The prompt's legacy logprobs (echo), first token without logprob. */
    private LegacyLogprobs promptLogprobs(Choice c, List<TokenLogprob> promptLps) {
        int[] ids = c.spec.request().prompt();
        List<String> toks = new ArrayList<>(ids.length);
        List<Float> lps = new ArrayList<>(ids.length);
        List<Map<String, Float>> tops = new ArrayList<>(ids.length);
        List<Integer> offsets = new ArrayList<>(ids.length);
        StreamingDecoder decoder = tokenizer.newStreamingDecoder(true);
        int at = 0;
        for (int i = 0; i < ids.length; i++) {
            toks.add(format.token(ids[i]));
            TokenLogprob lp = i < promptLps.size() ? promptLps.get(i) : null;
            lps.add(lp == null ? null : LogprobFormat.value(lp.logprob()));
            tops.add(lp == null ? null : format.top(lp));
            offsets.add(at);
            at += ResponseFormatter.codePoints(decoder.push(ids[i]));
        }
        return new LegacyLogprobs(toks, lps, tops, offsets);
    }

    private CompletionResponse chunk(int index, String text, LegacyLogprobs logprobs, String finishReason,
                                     TimingsDto timings) {
        return new CompletionResponse(id, OBJECT, created, plan.model(),
                List.of(new CompletionChoice(text, index, logprobs, finishReason)), null, timings);
    }

    @Override
    public List<Object> start() {
        List<Object> out = new ArrayList<>();
        if (plan.echo() && !hold) {
            for (Choice c : choices) {
                out.add(chunk(c.spec.index(), c.spec.promptText(), null, null, null));
            }
        }
        return out;
    }

    @Override
    List<Object> token(Choice c, GeneratedToken token) {
        LegacyLogprobs single = null;
        if (plan.logprobs() >= 0 && token.logprob() != null) {
            TokenLogprob lp = token.logprob();
            String tok = format.token(token.tokenId());
            float value = LogprobFormat.value(lp.logprob());
            Map<String, Float> top = format.top(lp);
            c.tokens.add(tok);
            c.tokenLogprobs.add(value);
            c.topLogprobs.add(top);
            c.textOffset.add(c.offset);
            single = new LegacyLogprobs(List.of(tok), List.of(value), List.of(top), List.of(c.offset));
        }
        c.offset += ResponseFormatter.codePoints(token.text());
        if (!plan.stream() || (token.text().isEmpty() && single == null)) {
            return List.of();
        }
        Object chunk = chunk(c.spec.index(), token.text(), single, null, null);
        if (hold) {
            c.held.add(chunk);
            return List.of();
        }
        return List.of(chunk);
    }

    @Override
    List<Object> finished(Choice c, Completion completion) {
        List<Object> out = new ArrayList<>();
        if (hold) {
            out.add(chunk(c.spec.index(), c.spec.promptText(), promptLogprobs(c, completion.promptLogprobs()), null,
                    null));
            out.addAll(c.held);
            c.held.clear();
        }
        out.add(chunk(c.spec.index(), "", null, ResponseFormatter.finishReason(completion),
                TimingsDto.of(completion.timings())));
        return out;
    }

    @Override
    Object usageChunk(UsageDto usage, TimingsDto timings) {
        return new CompletionResponse(id, OBJECT, created, plan.model(), List.of(), usage, timings);
    }

    @Override
    public Object response() {
        List<CompletionChoice> out = new ArrayList<>(choices.size());
        for (Choice c : choices) {
            String text = (plan.echo() ? c.spec.promptText() : "") + c.done.text();
            LegacyLogprobs logprobs = null;
            if (plan.logprobs() >= 0) {
                logprobs = new LegacyLogprobs(c.tokens, c.tokenLogprobs, c.topLogprobs, c.textOffset);
                if (plan.echo()) {
                    LegacyLogprobs p = promptLogprobs(c, c.done.promptLogprobs());
                    logprobs = new LegacyLogprobs(concat(p.tokens(), c.tokens),
                            concat(p.tokenLogprobs(), c.tokenLogprobs), concat(p.topLogprobs(), c.topLogprobs),
                            concat(p.textOffset(), c.textOffset));
                }
            }
            out.add(new CompletionChoice(text, c.spec.index(), logprobs, ResponseFormatter.finishReason(c.done)));
        }
        return new CompletionResponse(id, OBJECT, created, plan.model(), out, usage(), timings());
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a.size() + b.size());
        out.addAll(a);
        out.addAll(b);
        return out;
    }
}
