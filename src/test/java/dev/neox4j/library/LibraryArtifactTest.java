package dev.neox4j.library;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guards the library artifact {@code dev.neox4j:neox4j-langchain4j} the build packs from this project's classes:
 * its pom declares only what the classes use, the jar holds only the library packages and the demo tokenizer (none
 * of the service's resources), every class it references is in the JDK, in LangChain4j or in the jar itself, and the
 * Java-version entry points are Java 17 class files.
 */
class LibraryArtifactTest {

    /** Packages of the library (everything else in this project is the service). */
    static final List<String> LIBRARY_PACKAGES = List.of("dev/neox4j/engine/", "dev/neox4j/langchain4j/",
            "dev/neox4j/hub/");

    /**
     * Classes outside the jar and the JDK that library classes may reference: langchain4j-core with what it brings
     * (Jackson).
     */
    static final List<String> ALLOWED_EXTERNAL = List.of("dev/langchain4j/", "com/fasterxml/jackson/");

    /** Compiled for Java 17 so that older JVMs can say "neox4j needs Java 25" (JavaVersionCheck). */
    static final Set<String> JAVA17_CLASSES = Set.of("dev/neox4j/engine/JavaVersionCheck.class",
            "dev/neox4j/langchain4j/NeoxModelBase.class", "dev/neox4j/langchain4j/NeoxChatModel.class",
            "dev/neox4j/langchain4j/NeoxStreamingChatModel.class", "dev/neox4j/langchain4j/NeoxLanguageModel.class",
            "dev/neox4j/langchain4j/NeoxStreamingLanguageModel.class");

    @Test
    void thePomDeclaresLangChain4jCoreAndNothingElse() throws Exception {
        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(LibraryArtifact.POM.toFile());
        Element project = pom.getDocumentElement();
        assertEquals("dev.neox4j", child(project, "groupId"));
        assertEquals("neox4j-langchain4j", child(project, "artifactId"));
        assertFalse(child(project, "version").contains("${"), "version filled in");
        assertEquals(0, project.getElementsByTagName("parent").getLength(), "no parent: nothing inherited");
        assertEquals(0, project.getElementsByTagName("dependencyManagement").getLength());
        NodeList deps = project.getElementsByTagName("dependency");
        List<String> coordinates = new ArrayList<>();
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            coordinates.add(child(d, "groupId") + ":" + child(d, "artifactId") + ":" + child(d, "version"));
        }
        assertEquals(List.of("dev.langchain4j:langchain4j-core:" + rootLangChain4jVersion()), coordinates);
    }

    @Test
    void theJarHoldsTheLibraryPackagesAndTheDemoTokenizerOnly() throws IOException {
        Set<String> strays = new TreeSet<>();
        Set<String> packages = new TreeSet<>();
        try (JarFile jar = new JarFile(LibraryArtifact.jar(false).toFile())) {
            for (JarEntry e : jar.stream().toList()) {
                String n = e.getName();
                if (n.endsWith("/")) {
                    continue;
                }
                if (LIBRARY_PACKAGES.stream().anyMatch(n::startsWith)) {
                    packages.add(n.substring(0, n.lastIndexOf('/')));
                } else if (!n.startsWith("demo/") && !n.equals("META-INF/MANIFEST.MF")
                        && !n.equals("META-INF/maven/dev.neox4j/neox4j-langchain4j/pom.xml")) {
                    strays.add(n);
                }
            }
            assertTrue(strays.isEmpty(), "not library content: " + strays);
            assertTrue(jar.getEntry("demo/gpt-neox-tokenizer.gguf") != null, "the demo model's tokenizer");
            assertTrue(jar.getEntry("dev/neox4j/langchain4j/NeoxChatModel.class") != null);
            assertTrue(jar.getEntry("dev/neox4j/engine/runtime/Engine.class") != null);
            for (String serviceOnly : List.of("application.properties", "META-INF/openapi.yaml",
                    "META-INF/resources/index.html", "dev/neox4j/config/NeoxConfig.class")) {
                assertTrue(jar.getEntry(serviceOnly) == null, serviceOnly + " belongs to the service");
            }
        }
        assertTrue(packages.contains("dev/neox4j/engine/tensor/kernel"), packages.toString());
    }

    @Test
    void everyReferencedClassIsInTheJdkLangChain4jOrTheJar() throws IOException {
        Map<String, Set<String>> missing = new TreeMap<>();
        try (JarFile jar = new JarFile(LibraryArtifact.jar(false).toFile())) {
            Set<String> own = new TreeSet<>();
            jar.stream().map(JarEntry::getName).filter(n -> n.endsWith(".class"))
                    .forEach(n -> own.add(n.substring(0, n.length() - ".class".length())));
            for (String cls : own) {
                byte[] bytes = jar.getInputStream(jar.getEntry(cls + ".class")).readAllBytes();
                ClassModel model = ClassFile.of().parse(bytes);
                for (PoolEntry entry : model.constantPool()) {
                    if (entry instanceof ClassEntry ce) {
                        String ref = ce.asInternalName();
                        while (ref.startsWith("[")) {
                            ref = ref.substring(1);
                        }
                        if (ref.startsWith("L") && ref.endsWith(";")) {
                            ref = ref.substring(1, ref.length() - 1);
                        }
                        if (ref.length() <= 1 || own.contains(ref)) {
                            continue; // a primitive array, or a class of the jar
                        }
                        String r = ref;
                        if (!inJdk(ref) && ALLOWED_EXTERNAL.stream().noneMatch(r::startsWith)) {
                            missing.computeIfAbsent(ref, k -> new TreeSet<>()).add(cls);
                        }
                    }
                }
            }
        }
        assertTrue(missing.isEmpty(), "library classes reference classes the library does not bring (move them into "
                + "the library packages, or declare their artifact in src/library/pom.xml): " + missing);
    }

    @Test
    void theJavaVersionEntryPointsAreJava17ClassFilesAndTheRestJava25() throws IOException {
        Set<String> java17 = new TreeSet<>();
        try (JarFile jar = new JarFile(LibraryArtifact.jar(false).toFile())) {
            for (JarEntry e : jar.stream().filter(e -> e.getName().endsWith(".class")).toList()) {
                int major = ClassFile.of().parse(jar.getInputStream(e).readAllBytes()).majorVersion();
                if (major == ClassFile.JAVA_17_VERSION) {
                    java17.add(e.getName());
                } else {
                    assertEquals(ClassFile.JAVA_25_VERSION, major, e.getName());
                }
            }
        }
        // nested builder classes come from the same sources
        java17.removeIf(n -> n.contains("$Builder"));
        assertEquals(new TreeSet<>(JAVA17_CLASSES), java17);
    }

    @Test
    void theSourcesJarHasTheSourcesOfTheLibraryPackages() throws IOException {
        try (JarFile jar = new JarFile(LibraryArtifact.jar(true).toFile())) {
            assertTrue(jar.getEntry("dev/neox4j/langchain4j/NeoxChatModel.java") != null);
            assertTrue(jar.getEntry("dev/neox4j/engine/model/NeoxForward.java") != null);
            assertTrue(jar.stream().noneMatch(e -> e.getName().startsWith("dev/neox4j/api/")
                    || e.getName().startsWith("dev/neox4j/config/")), "no service sources");
        }
    }

    /** Whether a class is one of the JDK's (any module of the running JDK, the Vector API included). */
    private static boolean inJdk(String internalName) {
        return ClassLoader.getPlatformClassLoader().getResource(internalName + ".class") != null
                || ModuleLayer.boot().modules().stream().anyMatch(m -> m.getName().startsWith("jdk.incubator.")
                        && internalName.startsWith(m.getName().replace('.', '/') + "/"));
    }

    private static String rootLangChain4jVersion() throws Exception {
        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
        return child((Element) pom.getDocumentElement().getElementsByTagName("properties").item(0),
                "langchain4j.version");
    }

    private static String child(Element parent, String name) {
        NodeList list = parent.getChildNodes();
        for (int i = 0; i < list.getLength(); i++) {
            if (list.item(i) instanceof Element e && e.getTagName().equals(name)) {
                return e.getTextContent().trim();
            }
        }
        throw new AssertionError("<" + name + "> missing in <" + parent.getTagName() + ">");
    }
}
