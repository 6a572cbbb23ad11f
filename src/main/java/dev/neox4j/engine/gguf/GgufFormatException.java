package dev.neox4j.engine.gguf;

/** A GGUF file (or its metadata) is malformed or unsupported; the message names the file, defect and place. */
public class GgufFormatException extends RuntimeException {
    public GgufFormatException(String message) {
        super(message);
    }

    public GgufFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
