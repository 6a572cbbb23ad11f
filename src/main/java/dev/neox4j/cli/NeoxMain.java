package dev.neox4j.cli;

import io.quarkus.runtime.ApplicationLifecycleManager;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import jakarta.inject.Inject;
import picocli.CommandLine;

import java.util.Map;

/**
 * The entry point of {@code quarkus-run.jar}. Without arguments it is the server, exactly as before. With a
 * command as the first argument ({@code pull}, {@code convert}, {@code perplexity}, {@code --help}, ...) it runs
 * that command through picocli ({@link NeoxCommand}) and exits with its status; a command binds no HTTP port
 * ({@code quarkus.http.host-enabled=false}) and loads no served model (the engine holder sees the arguments), so
 * it runs beside a running server.
 */
@QuarkusMain
public class NeoxMain implements QuarkusApplication {

    /**
     * Settings of a command run, applied before Quarkus starts: no HTTP listener, no banner, Quarkus' own INFO
     * lines off, and logs on standard error so that standard output carries only the command's result.
     */
    static final Map<String, String> COMMAND_SETTINGS = Map.of(
            "quarkus.http.host-enabled", "false",
            "quarkus.banner.enabled", "false",
            "quarkus.log.console.stderr", "true",
            "quarkus.log.category.\"io.quarkus\".level", "WARN");

    @Inject
    CommandLine commandLine;

    /** Starts the server (no arguments) or runs a command. */
    public static void main(String... args) {
        if (!isCommand(args)) {
            Quarkus.run(NeoxMain.class, args);
            return;
        }
        Map<String, String> previous = new java.util.HashMap<>();
        COMMAND_SETTINGS.forEach((key, value) -> {
            previous.put(key, System.getProperty(key));
            System.setProperty(key, value);
        });
        try {
            Quarkus.run(NeoxMain.class, args);
        } finally {
            // (restored for runs that share this JVM, such as tests)
            previous.forEach((key, value) -> {
                if (value == null) {
                    System.clearProperty(key);
                } else {
                    System.setProperty(key, value);
                }
            });
        }
    }

    /** Whether the arguments name a command (any argument does; none means: serve). */
    public static boolean isCommand(String... args) {
        return args != null && args.length > 0;
    }

    @Override
    public int run(String... args) {
        if (!isCommand(args)) {
            Quarkus.waitForExit();
            return ApplicationLifecycleManager.getExitCode();
        }
        return commandLine.execute(args);
    }
}
