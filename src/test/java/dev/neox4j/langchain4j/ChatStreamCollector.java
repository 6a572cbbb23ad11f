package dev.neox4j.langchain4j;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;

/** A {@link StreamCollector} for any {@code StreamingChatModel}. */
public class ChatStreamCollector extends StreamCollector<ChatResponse> implements StreamingChatResponseHandler {

    /** Also reached through {@code onPartialResponse(PartialResponse, PartialResponseContext)}. */
    @Override
    public void onPartialResponse(String partial) {
        part(partial);
    }

    @Override
    public void onCompleteResponse(ChatResponse response) {
        complete(response);
    }
}
