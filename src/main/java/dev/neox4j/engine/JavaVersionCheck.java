package dev.neox4j.engine;

/**
 * The Java version neox4j needs, checked where a JVM that is too old can still run the check.
 *
 * <p>neox4j is compiled for Java 25. On Java 17-24 the first of its classes to load would fail with an
 * {@code UnsupportedClassVersionError} naming a class file version, or, in the service, with no message at all.
 * This class, the LangChain4j models' common base class and the service's launcher are therefore compiled a second
 * time for Java 17 (the {@code java17-entry-points} compiler execution in {@code pom.xml}), so that an older JVM
 * loads them and they can say what is wrong. Keep them free of Java 18+ language features and APIs (javac
 * enforces it) and of code that makes the verifier load other neox4j classes.
 */
public final class JavaVersionCheck {

    /** The oldest Java feature release neox4j runs on. */
    public static final int REQUIRED = 25;

    private JavaVersionCheck() {
    }

    /** The feature release of the running JVM (17 for Java 17.0.x). */
    public static int current() {
        return Runtime.version().feature();
    }

    /** The message for a JVM of feature release {@code feature}, or {@code null} when it is new enough. */
    public static String problem(int feature) {
        return feature >= REQUIRED ? null : "neox4j needs Java " + REQUIRED + " or newer; this is Java " + feature;
    }

    /**
     * Fails when the running JVM is older than Java {@value #REQUIRED}.
     *
     * @throws UnsupportedClassVersionError with the message of {@link #problem(int)}; an {@code Error}, so that a
     *                                      static initializer calling this passes it on unwrapped
     */
    public static void require() {
        String problem = problem(current());
        if (problem != null) {
            throw new UnsupportedClassVersionError(problem);
        }
    }
}
