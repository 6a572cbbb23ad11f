package dev.neox4j.langchain4j;

import dev.neox4j.engine.JavaVersionCheck;
import dev.neox4j.engine.runtime.Engine;

/**
 * The one base class of the four models: each holds a {@link NeoxGenerator} (the one core that does the work)
 * and only delegates to it.
 *
 * <p>The four models and this class are compiled for Java 17 as well (see {@link JavaVersionCheck}): on Java
 * 17-24 the first use of a model class ({@code NeoxChatModel.builder()}) runs its static initializer, which calls
 * {@link JavaVersionCheck#require()} and so throws
 * {@code UnsupportedClassVersionError("neox4j needs Java 25 or newer; this is Java N")}. The model classes
 * therefore only pass values through with the types they were declared with: anything else would make an old JVM's
 * verifier load a Java 25 class first and fail with the JVM's own message.
 */
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
