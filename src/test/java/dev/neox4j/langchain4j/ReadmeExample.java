package dev.neox4j.langchain4j;

import dev.langchain4j.model.StreamingResponseHandler;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.service.AiServices;
import dev.neox4j.langchain4j.NeoxChatModel;
import dev.neox4j.langchain4j.NeoxStreamingLanguageModel;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

public class ReadmeExample {

    interface Assistant {
        String chat(String message);
    }

    public static void main(String[] args) throws Exception {
        NeoxChatModel.Builder chat = NeoxChatModel.builder().temperature(0.7).maxTokens(64);
        NeoxStreamingLanguageModel.Builder text = NeoxStreamingLanguageModel.builder().temperature(0.7).maxTokens(256);
        if (args.length > 0) {
            // a Pythia GGUF file, e.g. pythia-1b.Q4_K_M.gguf
            chat.modelPath(Path.of(args[0]));
            text.modelPath(Path.of(args[0]));
        } else {
            // the built-in demo model: real tokenizer, random weights (its text is noise)
            chat.demoModel();
            text.demoModel();
        }

        // A chat model behind an AI service: messages are rendered with neox4j's plain-text chat template
        try (NeoxChatModel chatModel = chat.build()) {
            Assistant assistant = AiServices.create(Assistant.class, chatModel);
            System.out.println(assistant.chat("What is the capital of France?"));

            // A streaming completion model; built from the same file, it shares the loaded engine
            try (NeoxStreamingLanguageModel model = text.build()) {
                CompletableFuture<Response<String>> done = new CompletableFuture<>();
                model.generate("The meaning of life is", new StreamingResponseHandler<>() {
                    @Override
                    public void onNext(String token) {
                        System.out.print(token);
                    }

                    @Override
                    public void onComplete(Response<String> response) {
                        done.complete(response);
                    }

                    @Override
                    public void onError(Throwable error) {
                        done.completeExceptionally(error);
                    }
                });
                Response<String> response = done.get();
                System.out.println();
                System.out.println(response.finishReason() + " " + response.tokenUsage());
            }
        }
    }
}
