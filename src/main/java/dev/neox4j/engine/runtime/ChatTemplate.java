package dev.neox4j.engine.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Renders a chat conversation as plain text for a base model (Pythia is not instruction-tuned), used by the REST
 * chat endpoint and the LangChain4j chat models alike.
 *
 * <p>The default template, for {@code [system "Be brief.", user "Hi", assistant "Hello!", user "Why?"]}:
 * <pre>
 * Be brief.
 *
 * User: Hi
 * Assistant: Hello!
 * User: Why?
 * Assistant:</pre>
 * System messages at the start are written as plain text followed by a blank line ({@code systemSuffix}); a
 * system message later in the conversation becomes a {@code "System: "} turn. Every turn is
 * {@code prefix + content + separator}, and the prompt ends with the generation prompt ({@code "Assistant:"}) so
 * that the model writes the assistant's reply. Generation must stop at the next turn the model starts on its
 * own: {@link #stopStrings()} ({@code "\nUser:"} and {@code "\nSystem:"} by default). {@link #reply} trims the
 * space the model writes after {@code "Assistant:"}, and a streamed reply is trimmed the same way by a
 * {@link #replyTrimmer()}. A message given as several text parts is one turn, its parts joined by
 * {@link ChatTurn#joinParts}.
 */
public final class ChatTemplate {

    /** The default template described above. */
    public static final ChatTemplate DEFAULT = builder().build();

    private final String systemSuffix;
    private final String systemPrefix;
    private final String userPrefix;
    private final String assistantPrefix;
    private final String separator;
    private final String generationPrompt;
    private final List<String> stopStrings;

    private ChatTemplate(Builder b) {
        this.systemSuffix = b.systemSuffix;
        this.systemPrefix = b.systemPrefix;
        this.userPrefix = b.userPrefix;
        this.assistantPrefix = b.assistantPrefix;
        this.separator = b.separator;
        this.generationPrompt = b.generationPrompt != null ? b.generationPrompt : assistantPrefix.stripTrailing();
        List<String> stops = new ArrayList<>();
        for (String prefix : List.of(userPrefix, systemPrefix)) {
            String stop = separator + prefix.stripTrailing();
            if (!prefix.isBlank() && !stop.isEmpty() && !stops.contains(stop)) {
                stops.add(stop);
            }
        }
        this.stopStrings = List.copyOf(stops);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The prompt text for {@code turns}, ending with the generation prompt. */
    public String render(List<ChatTurn> turns) {
        Objects.requireNonNull(turns, "chat messages");
        if (turns.isEmpty()) {
            throw new IllegalArgumentException("a chat needs at least one message");
        }
        StringBuilder sb = new StringBuilder();
        boolean leading = true;
        for (ChatTurn t : turns) {
            switch (t.role()) {
                case ChatTurn.SYSTEM -> {
                    if (leading) {
                        sb.append(t.content()).append(systemSuffix);
                    } else {
                        sb.append(systemPrefix).append(t.content()).append(separator);
                    }
                }
                case ChatTurn.USER -> {
                    leading = false;
                    sb.append(userPrefix).append(t.content()).append(separator);
                }
                default -> {
                    leading = false;
                    sb.append(assistantPrefix).append(t.content()).append(separator);
                }
            }
        }
        return sb.append(generationPrompt).toString();
    }

    /** Strings at which generation must stop: the start of a turn the model writes for someone else. */
    public List<String> stopStrings() {
        return stopStrings;
    }

    /** The assistant's reply from the generated text: without the leading space and trailing whitespace. */
    public String reply(String generated) {
        return generated.strip();
    }

    /** Trims a streamed reply: the pieces it returns add up to {@link #reply} of the whole generated text. */
    public ReplyTrimmer replyTrimmer() {
        return new ReplyTrimmer();
    }

    public String systemSuffix() {
        return systemSuffix;
    }

    public String systemPrefix() {
        return systemPrefix;
    }

    public String userPrefix() {
        return userPrefix;
    }

    public String assistantPrefix() {
        return assistantPrefix;
    }

    public String separator() {
        return separator;
    }

    public String generationPrompt() {
        return generationPrompt;
    }

    /** Builds a {@link ChatTemplate}; every part defaults to the documented template. */
    public static final class Builder {
        private String systemSuffix = "\n\n";
        private String systemPrefix = "System: ";
        private String userPrefix = "User: ";
        private String assistantPrefix = "Assistant: ";
        private String separator = "\n";
        private String generationPrompt;

        private Builder() {
        }

        /** Written after leading system messages (default: a blank line). */
        public Builder systemSuffix(String s) {
            this.systemSuffix = Objects.requireNonNull(s);
            return this;
        }

        /** Prefix of a system message after the first user or assistant turn (default {@code "System: "}). */
        public Builder systemPrefix(String s) {
            this.systemPrefix = Objects.requireNonNull(s);
            return this;
        }

        /** Prefix of a user turn (default {@code "User: "}). */
        public Builder userPrefix(String s) {
            this.userPrefix = Objects.requireNonNull(s);
            return this;
        }

        /** Prefix of an assistant turn (default {@code "Assistant: "}). */
        public Builder assistantPrefix(String s) {
            this.assistantPrefix = Objects.requireNonNull(s);
            return this;
        }

        /** Written after every turn (default a newline). */
        public Builder separator(String s) {
            this.separator = Objects.requireNonNull(s);
            return this;
        }

        /** The end of the prompt (default: the assistant prefix without trailing spaces, {@code "Assistant:"}). */
        public Builder generationPrompt(String s) {
            this.generationPrompt = Objects.requireNonNull(s);
            return this;
        }

        public ChatTemplate build() {
            if (userPrefix.isBlank() || assistantPrefix.isBlank()) {
                throw new IllegalArgumentException("the user and assistant prefixes of a chat template must not be "
                        + "blank");
            }
            return new ChatTemplate(this);
        }
    }
}
