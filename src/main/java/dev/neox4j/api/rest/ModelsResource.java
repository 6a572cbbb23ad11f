package dev.neox4j.api.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.neox4j.config.EngineHolder;
import dev.neox4j.engine.runtime.Engine;
import dev.neox4j.engine.runtime.ModelInfo;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.List;

/** {@code GET /v1/models} and {@code GET /v1/models/{id}}: the one model served, with what it is. */
@Path("/v1/models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelsResource {

    private final long created = Ids.now();

    @Inject
    EngineHolder holder;

    /** OpenAI's model list. */
    public record ModelList(String object, List<ModelCard> data) {
    }

    /** OpenAI's model object plus what the model is. */
    public record ModelCard(String id, String object, long created, @JsonProperty("owned_by") String ownedBy,
                            String architecture, String name,
                            @JsonProperty("parameter_count") long parameterCount,
                            @JsonProperty("quant_type") String quantType,
                            @JsonProperty("context_length") int contextLength,
                            @JsonProperty("max_model_len") int maxModelLen,
                            @JsonProperty("train_context_length") int trainContextLength,
                            @JsonProperty("vocab_size") int vocabSize,
                            @JsonProperty("embedding_length") int embeddingLength,
                            int layers, int heads, boolean demo) {
    }

    private ModelCard card() {
        Engine engine = holder.require();
        ModelInfo m = engine.modelInfo();
        return new ModelCard(holder.modelId(), "model", created, "neox4j", m.architecture(), m.name(),
                m.parameterCount(), m.quantType(), m.contextLength(), m.contextLength(), m.trainContextLength(),
                m.vocabSize(), m.embeddingLength(), m.layers(), m.heads(), m.demo());
    }

    @GET
    public ModelList list() {
        return new ModelList("list", List.of(card()));
    }

    @GET
    @Path("/{id: .+}")
    public ModelCard get(@PathParam("id") String id) {
        ModelCard card = card();
        if (!card.id().equals(id)) {
            throw ApiException.modelNotFound(id);
        }
        return card;
    }
}
