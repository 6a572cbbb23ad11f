package dev.neox4j.engine.tensor.kernel;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Asks HotSpot to compile the methods of this package and of the JDK's vector packages in the foreground: the
 * thread that makes a kernel hot waits for its compilation instead of running on in the interpreter while a
 * compiler thread works. Installed once, when {@link VectorShapes} (which every vector kernel reads) is
 * initialized, through the JVM's own management interface (the {@code Compiler.directives_add} diagnostic
 * command with one compiler directive, {@link #DIRECTIVE}); nothing to put on the command line.
 *
 * <p>Why: with background compilation, whether C2 leaves a vector kernel boxed (allocating on every call, 5-50
 * times slower, for the life of the process) depended on the machine's timing. On the same commit CI found the
 * Q4_0 pair kernels and the Q4_K single-row kernel boxed while this machine found none; with the compiler threads
 * slowed down ({@code -XX:+PrintInlining}) every run here boxed two to four K-quant kernels. Compiled while the
 * interpreter raced on, with the profiles of the JDK's shared vector methods taking every species the JVM uses,
 * some late-inlined Vector API calls kept a virtual call on a receiver of unknown exact class and boxed it.
 * Compiled in the foreground, every run came out clean (BENCHMARKS.md, "Kernels compiled in the foreground").
 * The cost is a pause of the first calls while each kernel compiles, once: at pythia-1.4b the first forward pass
 * of the start-up takes ~3 s, and the first request taking a new path (e.g. four rows at once) 0.6-1.6 s more than
 * the next ones (BENCHMARKS.md, session 8).
 *
 * <p>{@code -Dneox4j.kernels.foreground-compilation=false} leaves compilation as the JVM has it. Where the JVM has
 * no such command (another VM, a native image), nothing changes and a DEBUG line says why.
 */
final class ForegroundCompilation {

    private static final System.Logger LOG = System.getLogger(ForegroundCompilation.class.getName());

    /**
     * The compiler directive: every method of this package and of the JDK's vector API packages compiled by the
     * thread that made it hot.
     */
    static final String DIRECTIVE = "[{ match: [\"dev/neox4j/engine/tensor/kernel/*.*\", "
            + "\"jdk/incubator/vector/*.*\", \"jdk/internal/vm/vector/*.*\"], BackgroundCompilation: false }]";

    /** Whether the directive was installed (once per JVM, when this class is initialized). */
    static final boolean INSTALLED = install();

    private ForegroundCompilation() {
    }

    /** Forces the class initialization (and so the installation); returns {@link #INSTALLED}. */
    static boolean ensureInstalled() {
        return INSTALLED;
    }

    private static boolean install() {
        if ("false".equals(System.getProperty("neox4j.kernels.foreground-compilation"))) {
            return false;
        }
        Path file = null;
        try {
            file = Files.createTempFile("neox4j-kernel-directive", ".json");
            Files.writeString(file, DIRECTIVE);
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            Object out = server.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "compilerDirectivesAdd", new Object[]{new String[]{file.toString()}},
                    new String[]{String[].class.getName()});
            String text = String.valueOf(out).trim();
            if (!text.contains("added")) {
                LOG.log(System.Logger.Level.WARNING, "Kernel compiler directive not accepted: {0}", text);
                return false;
            }
            LOG.log(System.Logger.Level.DEBUG, "Vector kernels compile in the foreground ({0})", text);
            return true;
        } catch (Exception | LinkageError e) {
            LOG.log(System.Logger.Level.DEBUG, "Vector kernels compile in the background: {0}", e.toString());
            return false;
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (Exception ignored) {
                    // a temporary file of a few bytes; the system cleans its temporary directory
                }
            }
        }
    }
}
