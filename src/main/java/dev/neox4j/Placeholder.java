package dev.neox4j;

/** Root package of neox4j. */
final class Placeholder {
    private Placeholder() {
    }
}
