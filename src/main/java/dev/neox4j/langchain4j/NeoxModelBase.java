package dev.neox4j.langchain4j;

import dev.neox4j.engine.runtime.Engine;

/** What the four models share: the generator that runs their requests, the engine it runs on, and closing. */
abstract class NeoxModelBase implements AutoCloseable {

    final NeoxGenerator generator;

    NeoxModelBase(NeoxGenerator generator) {
        this.generator = generator;
    }

    /** The engine this model runs on (shared with every model built from the same file). */
    public Engine engine() {
        return generator.engine();
    }

    /** Releases this model's reference to a shared engine (idempotent); later calls fail. */
    @Override
    public void close() {
        generator.close();
    }
}
