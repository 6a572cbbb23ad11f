package dev.neox4j.engine.runtime;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One message of a chat conversation.
 *
 * @param role    {@code system}, {@code user} or {@code assistant} (case-insensitive; stored in lower case)
 * @param content the message text (never null)
 */
public record ChatTurn(String role, String content) {

    public static final String SYSTEM = "system";
    public static final String USER = "user";
    public static final String ASSISTANT = "assistant";

    public ChatTurn {
        Objects.requireNonNull(role, "chat message role");
        role = role.toLowerCase(Locale.ROOT);
        if (!role.equals(SYSTEM) && !role.equals(USER) && !role.equals(ASSISTANT)) {
            throw new IllegalArgumentException("unsupported chat role '" + role
                    + "': expected system, user or assistant");
        }
        content = content == null ? "" : content;
    }

    /**
     * The content of a message given as several text parts (OpenAI content parts, LangChain4j text contents): the
     * parts joined by a newline, as vLLM does.
     */
    public static String joinParts(List<String> parts) {
        return String.join("\n", parts);
    }

    public static ChatTurn system(String content) {
        return new ChatTurn(SYSTEM, content);
    }

    public static ChatTurn user(String content) {
        return new ChatTurn(USER, content);
    }

    public static ChatTurn assistant(String content) {
        return new ChatTurn(ASSISTANT, content);
    }
}
