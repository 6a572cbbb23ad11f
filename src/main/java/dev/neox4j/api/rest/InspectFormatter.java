package dev.neox4j.api.rest;

import dev.neox4j.engine.runtime.Inspection;
import dev.neox4j.engine.tokenizer.Tokenizer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Writes an {@link Inspection} in {@code POST /v1/inspect}'s JSON shape (tensors as base64 float32 LE). */
public final class InspectFormatter {

    private final Tokenizer tokenizer;

    public InspectFormatter(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** The response; {@code lens}, {@code hidden} and {@code attention} say which parts were asked for. */
    public InspectDtos.Response format(String model, Inspection r, boolean lens, boolean hidden, boolean attention) {
        List<InspectDtos.Token> tokens = new ArrayList<>(r.tokens().length);
        for (int id : r.tokens()) {
            tokens.add(new InspectDtos.Token(id, text(id)));
        }
        return new InspectDtos.Response(model, tokens,
                lens ? new InspectDtos.Layers<>(r.logitLens().stream().map(this::lensLayer).toList()) : null,
                hidden ? new InspectDtos.Layers<>(r.hiddenStates().stream().map(h -> tensor(h.layer(),
                        h.values())).toList()) : null,
                attention ? new InspectDtos.Layers<>(r.attention().stream().map(a -> tensor(a.layer(),
                        a.probs())).toList()) : null);
    }

    private InspectDtos.LensLayer lensLayer(Inspection.LensLayer l) {
        List<List<InspectDtos.Candidate>> top = new ArrayList<>(l.topIds().length);
        for (int t = 0; t < l.topIds().length; t++) {
            int[] ids = l.topIds()[t];
            List<InspectDtos.Candidate> row = new ArrayList<>(ids.length);
            for (int k = 0; k < ids.length; k++) {
                row.add(new InspectDtos.Candidate(ids[k], text(ids[k]), LogprobFormat.value(l.topLogprobs()[t][k])));
            }
            top.add(row);
        }
        return new InspectDtos.LensLayer(l.layer(), top);
    }

    /** A token's text; a padding row of the model beyond the tokenizer has none. */
    private String text(int id) {
        return id < tokenizer.vocabSize() ? tokenizer.tokenPiece(id) : "";
    }

    private static InspectDtos.Tensor tensor(int layer, float[][] rows) {
        int d = rows.length == 0 ? 0 : rows[0].length;
        return tensor(layer, new int[] {rows.length, d}, java.util.Arrays.asList(rows));
    }

    private static InspectDtos.Tensor tensor(int layer, float[][][] probs) {
        int n = probs.length == 0 ? 0 : probs[0].length;
        List<float[]> rows = new ArrayList<>(probs.length * n);
        for (float[][] head : probs) {
            rows.addAll(java.util.Arrays.asList(head));
        }
        return tensor(layer, new int[] {probs.length, n, n}, rows);
    }

    /** The rows, concatenated, as base64 of little-endian float32. */
    private static InspectDtos.Tensor tensor(int layer, int[] shape, List<float[]> rows) {
        int floats = rows.stream().mapToInt(r -> r.length).sum();
        ByteBuffer b = ByteBuffer.allocate(floats * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] row : rows) {
            b.asFloatBuffer().put(row);
            b.position(b.position() + row.length * 4);
        }
        return new InspectDtos.Tensor(layer, "float32", shape, Base64.getEncoder().encodeToString(b.array()));
    }
}
