package dev.neox4j.hub;

import java.nio.file.Path;
import java.util.Optional;

/** A second process for {@link ConcurrentProcessDownloadTest}: resolves {@code args[2]} and prints the path. */
public final class ResolveMain {

    private ResolveMain() {
    }

    /** {@code ENDPOINT CACHE REFERENCE}. */
    public static void main(String[] args) throws Exception {
        HubSettings settings = new HubSettings(args[0], Optional.empty(), false, Path.of(args[1]));
        try (ModelResolver resolver = ModelResolver.create(settings)) {
            System.out.println(resolver.resolve(args[2]));
        }
    }
}
