package dev.neox4j.langchain4j;

import dev.langchain4j.model.StreamingResponseHandler;
import dev.langchain4j.model.output.Response;

/** A {@link StreamCollector} for any {@code StreamingLanguageModel}. */
public class TextStreamCollector extends StreamCollector<Response<String>>
        implements StreamingResponseHandler<String> {

    @Override
    public void onNext(String token) {
        part(token);
    }

    @Override
    public void onComplete(Response<String> response) {
        complete(response);
    }
}
