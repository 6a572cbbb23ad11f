package dev.neox4j.engine.runtime;

/**
 * One generated token.
 *
 * @param index   0-based position in the generated sequence
 * @param tokenId the token id
 * @param text    the text this token completes: whole UTF-8 characters only, stop strings withheld, so it
 *                can be empty; concatenating all {@code text}s gives the final completion text
 * @param logprob its log-probability and alternatives, or {@code null} when not requested
 */
public record GeneratedToken(int index, int tokenId, String text, TokenLogprob logprob) {
}
