package dev.neox4j.engine.checkpoint;

/**
 * A transformers checkpoint (its {@code config.json}, {@code tokenizer.json}, index or weight files) is missing,
 * malformed, hostile or describes a model neox4j cannot serve. The message names the file and the defect.
 */
public class CheckpointFormatException extends IllegalArgumentException {

    public CheckpointFormatException(String message) {
        super(message);
    }

    public CheckpointFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
