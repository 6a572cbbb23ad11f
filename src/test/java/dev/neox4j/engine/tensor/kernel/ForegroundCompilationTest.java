package dev.neox4j.engine.tensor.kernel;

import org.junit.jupiter.api.Test;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The vector kernels' compiler directive is in the JVM once {@link VectorShapes} is initialized: the JVM's own
 * list of compiler directives shows the kernel package with background compilation off.
 */
class ForegroundCompilationTest {

    @Test
    void theKernelPackageCompilesInTheForegroundOnceAVectorKernelIsLoaded() throws Exception {
        int lanes = VectorShapes.F; // initializes VectorShapes, which installs the directive
        assertTrue(lanes >= 1);
        assertTrue(ForegroundCompilation.INSTALLED, "the directive was not installed");
        String listed = String.valueOf(ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesPrint",
                new Object[]{new String[0]}, new String[]{String[].class.getName()}));
        assertTrue(listed.contains("dev/neox4j/engine/tensor/kernel/*.*"), listed);
        assertTrue(listed.contains("jdk/incubator/vector/*.*"), listed);
        assertTrue(listed.contains("BackgroundCompilation:false"), listed);
    }
}
