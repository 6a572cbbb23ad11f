package dev.neox4j.engine.runtime;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** The engine's {@link EngineObserver}s (metrics): calls each, and logs rather than propagates what one throws. */
final class Observers {
    private static final System.Logger LOG = System.getLogger(Observers.class.getName());

    private final List<EngineObserver> list = new CopyOnWriteArrayList<>();

    void add(EngineObserver o) {
        list.add(o);
    }

    void remove(EngineObserver o) {
        list.remove(o);
    }

    void notify(Consumer<EngineObserver> call) {
        for (EngineObserver o : list) {
            try {
                call.accept(o);
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.WARNING, "engine observer " + o + " threw", t);
            }
        }
    }
}
