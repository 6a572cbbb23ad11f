package dev.neox4j;

import dev.neox4j.engine.JavaVersionCheck;
import io.quarkus.runtime.Quarkus;

/**
 * The service's entry point ({@code quarkus.package.main-class} in {@code application.properties}): checks the
 * Java version, then starts Quarkus. Compiled for Java 17 (see {@link JavaVersionCheck}), so that Java 17-24
 * print "neox4j needs Java 25 or newer; this is Java N" and exit with status 1 instead of failing silently.
 * A command-line front end (picocli) plugs in here: {@code Quarkus.run(ItsQuarkusApplication.class, args)}.
 */
public final class Launcher {

    private Launcher() {
    }

    public static void main(String[] args) {
        String problem = JavaVersionCheck.problem(JavaVersionCheck.current());
        if (problem != null) {
            System.err.println(problem);
            System.exit(1);
        }
        Quarkus.run(args);
    }
}
