package dev.neox4j.api.rest;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Response ids ({@code cmpl-...}, {@code chatcmpl-...}) and {@code created} timestamps. */
public final class Ids {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {
    }

    private static String random() {
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    public static String completion() {
        return "cmpl-" + random();
    }

    public static String chat() {
        return "chatcmpl-" + random();
    }

    /** Seconds since the epoch. */
    public static long now() {
        return System.currentTimeMillis() / 1000;
    }
}
