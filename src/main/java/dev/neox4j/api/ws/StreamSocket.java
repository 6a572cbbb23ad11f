package dev.neox4j.api.ws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neox4j.api.rest.ApiErrors;
import dev.neox4j.api.rest.ApiException;
import dev.neox4j.api.rest.CommonDtos.TimingsDto;
import dev.neox4j.api.rest.CommonDtos.UsageDto;
import dev.neox4j.api.rest.GenerationPlan;
import dev.neox4j.api.rest.GenerationService;
import dev.neox4j.api.rest.JsonBody;
import dev.neox4j.api.rest.JsonFields;
import dev.neox4j.api.rest.LogprobFormat;
import dev.neox4j.api.rest.RequestParser;
import dev.neox4j.api.rest.SequenceEvent;
import dev.neox4j.api.rest.SequenceStream;
import dev.neox4j.config.EngineHolder;
import dev.neox4j.engine.runtime.Completion;
import dev.neox4j.engine.runtime.FinishReason;
import dev.neox4j.engine.runtime.GeneratedToken;
import dev.neox4j.engine.runtime.ReplyTrimmer;
import dev.neox4j.engine.runtime.TokenLogprob;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OnBinaryMessage;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Multi;
import io.vertx.core.buffer.Buffer;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code /v1/stream}: completions and chats streamed token by token over a WebSocket. Each client message is a JSON
 * object with a {@code type} ({@code completion}, {@code chat} or {@code cancel}) and the client's {@code id};
 * several requests may run at once over one connection. Closing the connection cancels its sequences. The protocol
 * is documented in the README ("WebSocket protocol").
 */
@WebSocket(path = "/v1/stream")
public class StreamSocket {

    private static final Logger LOG = Logger.getLogger(StreamSocket.class);

    @Inject
    GenerationService service;

    @Inject
    EngineHolder holder;

    @Inject
    ObjectMapper mapper;

    /** The requests of each connection, by connection id. */
    private final Map<String, Requests> connections = new ConcurrentHashMap<>();

    /** A connection's requests. */
    private static final class Requests {
        /** Running requests by request id, until their last message is on its way. */
        final Map<String, Running> running = new ConcurrentHashMap<>();
        /** Requests whose last message has not been written yet (shutdown waits for them before it closes). */
        final Set<Running> sending = ConcurrentHashMap.newKeySet();

        void sent(Running r) {
            sending.remove(r);
            r.sent.complete(null);
        }
    }

    /** One running request. */
    private static final class Running {
        final List<SequenceStream> streams;
        /** Completes when its last message has been written (or could not be: failure, connection closed). */
        final CompletableFuture<Void> sent = new CompletableFuture<>();
        volatile Cancellable subscription;
        volatile boolean clientCancelled;

        Running(List<SequenceStream> streams) {
            this.streams = streams;
        }

        void cancelSequences() {
            clientCancelled = true;
            streams.forEach(SequenceStream::cancel);
        }
    }

    @OnTextMessage
    void onMessage(String message, WebSocketConnection connection) {
        String id = null;
        try {
            JsonNode node = JsonBody.parse(mapper, message);
            JsonFields f = JsonFields.of(node);
            id = requestId(f);
            String type = f.string("type", null);
            if (type == null) {
                throw ApiException.badRequest("type", "'type' is required: completion, chat or cancel");
            }
            switch (type) {
                case "completion", "chat" -> start(connection, id, type, f);
                case "cancel" -> cancel(connection, id);
                default -> throw ApiException.badRequest("type", "unknown message type '" + ApiException.cut(type)
                        + "': expected completion, chat or cancel");
            }
        } catch (RuntimeException e) {
            send(connection, new WsMessages.Error(id, ApiErrors.from(e, "prompt").body().error()));
        }
    }

    private static String requestId(JsonFields f) {
        JsonNode id = f.get("id");
        if (id == null) {
            return null;
        }
        if (!id.isTextual() && !id.isIntegralNumber()) {
            throw ApiException.badRequest("id", "'id' must be a string or an integer, got " + JsonFields.kind(id));
        }
        return id.asText();
    }

    private void start(WebSocketConnection connection, String id, String type, JsonFields f) {
        if (id == null) {
            throw ApiException.badRequest("id", "'id' is required: the client's id for this request");
        }
        if (f.bool("stream", true) == false || f.bool("echo", false)) {
            throw ApiException.badRequest(f.has("echo") ? "echo" : "stream",
                    "'echo' and 'stream': false are not supported over the WebSocket");
        }
        Requests requests = connections.computeIfAbsent(connection.id(), k -> new Requests());
        Map<String, Running> running = requests.running;
        if (running.containsKey(id)) {
            throw ApiException.badRequest("id", "request '" + ApiException.cut(id) + "' is still running on this connection");
        }
        RequestParser parser = service.parser();
        GenerationPlan plan = "chat".equals(type) ? parser.chat(f, "websocket") : parser.completion(f, "websocket");
        List<SequenceStream> streams = service.submit(parser.engine(), plan);
        Running r = new Running(streams);
        requests.sending.add(r);
        running.put(id, r);
        LogprobFormat format = new LogprobFormat(parser.engine().tokenizer(), plan.tokenIdsAsStrings());
        ReplyTrimmer[] trimmers = new ReplyTrimmer[streams.size()];
        if (plan.chat()) {
            Arrays.setAll(trimmers, i -> holder.chatTemplate().replyTrimmer());
        }
        String requestId = id;
        int[] open = {streams.size()};
        Multi<Object> messages = service.merged(streams).onItem().transformToIterable(event -> {
            List<Object> out = new ArrayList<>(1);
            switch (event) {
                case SequenceEvent.Token t -> {
                    Object m = token(requestId, t.index(), t.token(), plan, format, trimmers[t.index()]);
                    if (m != null) {
                        out.add(m);
                    }
                }
                case SequenceEvent.Done d -> {
                    out.add(done(requestId, d.index(), d.completion(), plan, r));
                    if (--open[0] == 0) {
                        running.remove(requestId, r);
                    }
                }
            }
            return out;
        });
        r.subscription = messages
                .onItem().transformToUniAndConcatenate(m -> connection.sendText(json(m)))
                .subscribe().with(ignored -> {
                }, failure -> {
                    running.remove(requestId, r);
                    streams.forEach(SequenceStream::cancel);
                    if (!connection.isOpen()) { // the client went away while we were sending: nobody to tell
                        requests.sent(r);
                        return;
                    }
                    send(connection, new WsMessages.Error(requestId,
                            ApiErrors.from(failure, plan.promptParam()).body().error()), () -> requests.sent(r));
                }, () -> requests.sent(r));
    }

    /** A token message; a chat's text trimmed by {@code trimmer} (null for completions) like its final text. */
    private Object token(String id, int index, GeneratedToken token, GenerationPlan plan, LogprobFormat format,
                         ReplyTrimmer trimmer) {
        String text = trimmer == null ? token.text() : trimmer.next(token.text());
        Float logprob = null;
        List<WsMessages.TopLogprob> top = null;
        TokenLogprob lp = token.logprob();
        if (plan.logprobs() >= 0 && lp != null) {
            logprob = LogprobFormat.value(lp.logprob());
            top = new ArrayList<>(lp.top().size());
            for (TokenLogprob.Alternative a : lp.top()) {
                top.add(new WsMessages.TopLogprob(format.token(a.tokenId()), a.tokenId(),
                        LogprobFormat.value(a.logprob())));
            }
        }
        return new WsMessages.Token(id, index, text, token.tokenId(), logprob, top);
    }

    private Object done(String id, int index, Completion c, GenerationPlan plan, Running r) {
        if (c.finishReason() == FinishReason.CANCELLED && !r.clientCancelled) {
            return new WsMessages.Error(id, ApiErrors.cancelled(holder).body().error());
        }
        String reason = c.finishReason() == FinishReason.CANCELLED ? "cancelled"
                : c.finishReason() == FinishReason.LENGTH ? "length" : "stop";
        String text = plan.chat() ? holder.chatTemplate().reply(c.text()) : c.text();
        return new WsMessages.Done(id, index, reason, text,
                UsageDto.of(c.usage()), TimingsDto.of(c.timings()));
    }

    private void cancel(WebSocketConnection connection, String id) {
        Requests requests = connections.get(connection.id());
        Map<String, Running> running = requests == null ? Map.of() : requests.running;
        if (id == null) {
            running.values().forEach(Running::cancelSequences);
            return;
        }
        Running r = running.get(id);
        if (r == null) {
            throw ApiException.badRequest("id", "no running request '" + ApiException.cut(id) + "' on this connection");
        }
        r.cancelSequences();
    }

    /** The protocol is JSON text; a binary message closes the connection with 1003 (unsupported data). */
    @OnBinaryMessage
    void onBinary(Buffer message, WebSocketConnection connection) {
        LOG.debugf("binary message of %d bytes on %s: closing with 1003", message.length(), connection.id());
        connection.close(new CloseReason(1003, "binary messages are not supported: send JSON text"))
                .subscribe().with(ignored -> {
                }, failure -> LOG.debugf("could not close %s: %s", connection.id(), failure));
    }

    @OnClose
    void onClose(WebSocketConnection connection) {
        Requests requests = connections.remove(connection.id());
        if (requests != null) {
            for (Running r : requests.running.values()) {
                r.clientCancelled = true;
                Cancellable s = r.subscription;
                if (s != null) {
                    s.cancel();
                }
                r.streams.forEach(SequenceStream::cancel);
            }
            requests.sending.forEach(requests::sent); // nothing more can be written
        }
    }

    /**
     * Completes when every request running on {@code connection} has had its last message written (or could not
     * have it written), so that a close frame sent after it does not cut a request's final message.
     */
    CompletableFuture<Void> sent(WebSocketConnection connection) {
        Requests requests = connections.get(connection.id());
        if (requests == null) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.allOf(requests.sending.stream().map(r -> r.sent).toArray(CompletableFuture[]::new));
    }

    private void send(WebSocketConnection connection, Object message) {
        send(connection, message, () -> {
        });
    }

    /** Sends {@code message} if the connection is open; {@code then} runs once it is written or cannot be. */
    private void send(WebSocketConnection connection, Object message, Runnable then) {
        if (!connection.isOpen()) {
            then.run();
            return;
        }
        connection.sendText(json(message)).subscribe().with(ignored -> then.run(), failure -> {
            LOG.debugf("could not send to %s: %s", connection.id(), failure);
            then.run();
        });
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
