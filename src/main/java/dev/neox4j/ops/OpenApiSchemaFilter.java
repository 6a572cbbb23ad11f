package dev.neox4j.ops;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.MediaType;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

import java.util.List;
import java.util.Map;

/**
 * Completes the generated OpenAPI document. The API resources read their JSON bodies as raw text (so that unknown
 * fields are ignored and a bad field gets an error naming it) and stream Server-Sent Events, so the scanner sees
 * {@code text/plain} strings where clients send JSON and an array of strings where they receive a completion. This
 * filter attaches the request and response schemas of {@code META-INF/openapi.yaml} to those operations, documents
 * the event stream, and adds the OpenAI error responses. Operations that already document a JSON body are left as
 * they are. Registered with {@code mp.openapi.filter}.
 */
public class OpenApiSchemaFilter implements OASFilter {

    private static final String JSON = "application/json";
    private static final String SSE = "text/event-stream";

    /** What one operation consumes and produces. */
    private record Shape(String tag, String request, String response, String streamChunk, List<String> errors) {
    }

    private static final List<String> GENERATION_ERRORS = List.of("400", "401", "404", "429", "503");
    private static final List<String> TOKENIZER_ERRORS = List.of("400", "401", "404", "503");

    private static final Map<String, Map<PathItem.HttpMethod, Shape>> SHAPES = Map.of(
            "/v1/completions", Map.of(PathItem.HttpMethod.POST,
                    new Shape("Completions", "CompletionRequest", "CompletionResponse", "CompletionResponse",
                            GENERATION_ERRORS)),
            "/v1/chat/completions", Map.of(PathItem.HttpMethod.POST,
                    new Shape("Completions", "ChatCompletionRequest", "ChatCompletionResponse", "ChatCompletionChunk",
                            GENERATION_ERRORS)),
            "/tokenize", Map.of(PathItem.HttpMethod.POST,
                    new Shape("Tokenizer", "TokenizeRequest", null, null, TOKENIZER_ERRORS)),
            "/detokenize", Map.of(PathItem.HttpMethod.POST,
                    new Shape("Tokenizer", "DetokenizeRequest", null, null, TOKENIZER_ERRORS)),
            "/tokenizer_info", Map.of(PathItem.HttpMethod.GET,
                    new Shape("Tokenizer", null, null, null, List.of("401", "503"))),
            "/v1/models", Map.of(PathItem.HttpMethod.GET,
                    new Shape("Models", null, null, null, List.of("401", "503"))),
            "/v1/models/{id}", Map.of(PathItem.HttpMethod.GET,
                    new Shape("Models", null, null, null, List.of("401", "404", "503"))),
            "/v1/inspect", Map.of(PathItem.HttpMethod.POST,
                    new Shape("Research", "InspectRequest", "InspectResponse", null, GENERATION_ERRORS)),
            "/v1/perplexity", Map.of(PathItem.HttpMethod.POST,
                    new Shape("Research", "PerplexityRequest", "PerplexityResponse", null, GENERATION_ERRORS)));

    private static final Map<String, String> ERROR_DESCRIPTIONS = Map.of(
            "400", "Invalid request: the error names the field (param); a prompt longer than the context is a 400 "
                    + "with code context_length_exceeded, as at OpenAI",
            "401", "API keys are configured and the request has none or a wrong one",
            "404", "Unknown model",
            "429", "The request queue is full; retry after the Retry-After header's seconds",
            "503", "The model is loading, failed to load, or the server is shutting down (Retry-After)");

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() == null) {
            return;
        }
        SHAPES.forEach((path, operations) -> {
            PathItem item = openAPI.getPaths().getPathItem(path);
            if (item == null) {
                return;
            }
            operations.forEach((method, shape) -> {
                Operation op = item.getOperations().get(method);
                if (op != null) {
                    complete(op, shape);
                }
            });
        });
    }

    private static void complete(Operation op, Shape shape) {
        op.setTags(List.of(shape.tag()));
        if (shape.request() != null && !documentsJson(op.getRequestBody() == null ? null : op.getRequestBody().getContent())) {
            op.setRequestBody(OASFactory.createRequestBody().required(true)
                    .content(OASFactory.createContent().addMediaType(JSON, media(shape.request()))));
        }
        APIResponses responses = op.getResponses() == null ? OASFactory.createAPIResponses() : op.getResponses();
        if (shape.response() != null) {
            APIResponse ok = responses.getAPIResponse("200");
            if (ok == null || !documentsJsonObject(ok.getContent())) {
                responses.addAPIResponse("200", OASFactory.createAPIResponse()
                        .description("The completion as JSON, or with \"stream\": true Server-Sent Events: one "
                                + "'data: {chunk}' line per event and a final 'data: [DONE]'")
                        .content(OASFactory.createContent()
                                .addMediaType(JSON, media(shape.response()))
                                .addMediaType(SSE, media(shape.streamChunk()))));
            }
        }
        for (String code : shape.errors()) {
            if (responses.getAPIResponse(code) == null) {
                responses.addAPIResponse(code, OASFactory.createAPIResponse()
                        .description(ERROR_DESCRIPTIONS.get(code))
                        .content(OASFactory.createContent().addMediaType(JSON, media("ErrorResponse"))));
            }
        }
        op.setResponses(responses);
    }

    private static MediaType media(String schemaName) {
        return OASFactory.createMediaType().schema(OASFactory.createSchema().ref(schemaName));
    }

    /** Whether {@code content} already documents a JSON body (an annotated operation). */
    private static boolean documentsJson(Content content) {
        return content != null && content.getMediaTypes() != null && content.getMediaTypes().containsKey(JSON);
    }

    /** Whether {@code content} documents a JSON object rather than the scanner's view of a stream of strings. */
    private static boolean documentsJsonObject(Content content) {
        if (!documentsJson(content)) {
            return false;
        }
        Schema schema = content.getMediaType(JSON).getSchema();
        if (schema == null) {
            return false;
        }
        if (schema.getRef() != null) {
            return true;
        }
        List<Schema.SchemaType> type = schema.getType();
        return type != null && !type.contains(Schema.SchemaType.ARRAY) && !type.contains(Schema.SchemaType.STRING);
    }
}
