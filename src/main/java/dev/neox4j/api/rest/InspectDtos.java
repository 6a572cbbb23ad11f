package dev.neox4j.api.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/** The JSON shapes of {@code POST /v1/inspect}'s response. */
public final class InspectDtos {

    private InspectDtos() {
    }

    /** One prompt token. */
    public record Token(int id, String text) {
    }

    /** One logit-lens candidate. */
    public record Candidate(int id, String token, float logprob) {
    }

    /** The lens at one layer: {@code top[position]} lists the candidates, best first. */
    public record LensLayer(int layer, List<List<Candidate>> top) {
    }

    /** A float32 tensor of one layer, little-endian, base64. */
    public record Tensor(int layer, String dtype, int[] shape, String data) {
    }

    /** A list of per-layer entries. */
    public record Layers<T>(List<T> layers) {
    }

    /** The response; parts that were not asked for are left out. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Response(String model, List<Token> tokens,
                           @JsonProperty("logit_lens") Layers<LensLayer> logitLens,
                           @JsonProperty("hidden_states") Layers<Tensor> hiddenStates,
                           Layers<Tensor> attention) {
    }
}
