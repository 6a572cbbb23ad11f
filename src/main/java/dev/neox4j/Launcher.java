package dev.neox4j;

import dev.neox4j.cli.NeoxMain;
import dev.neox4j.engine.JavaVersionCheck;

/**
 * The entry point of {@code quarkus-run.jar} ({@code quarkus.package.main-class} in {@code application.properties}):
 * checks the Java version, then hands over to {@link NeoxMain} (the server, or a command). Compiled for Java 17
 * (see {@link JavaVersionCheck}), so that Java 17-24 print "neox4j needs Java 25 or newer; this is Java N" and exit
 * with status 1 instead of failing without a word. A plain server start is handed to a JVM with the recommended
 * options first ({@link JvmRelaunch}).
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
        JvmRelaunch.relaunchIfPlain(args); // returns when this JVM serves
        NeoxMain.main(args);
    }
}
