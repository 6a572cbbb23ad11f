package dev.neox4j.hub;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelReferenceTest {

    private static final RepoId PYTHIA = new RepoId("EleutherAI", "pythia-160m");

    @Test
    void localPathsStayLocal() throws HubException {
        assertEquals(new ModelReference.Local(Path.of("/models/pythia-1b.Q4_K_M.gguf")),
                ModelReference.parse("/models/pythia-1b.Q4_K_M.gguf"));
        assertEquals(new ModelReference.Local(Path.of("checkpoints/pythia-160m")),
                ModelReference.parse("checkpoints/pythia-160m"));
    }

    @Test
    void hubForms() throws HubException {
        RepoId gguf = new RepoId("QuantFactory", "pythia-12b-GGUF");
        assertEquals(new ModelReference.HubFile(gguf, "main", "pythia-12b.Q4_K_M.gguf"),
                ModelReference.parse("hf://QuantFactory/pythia-12b-GGUF/pythia-12b.Q4_K_M.gguf"));
        assertEquals(new ModelReference.HubFile(gguf, "v1.0", "sub/dir/x.gguf"),
                ModelReference.parse("hf://QuantFactory/pythia-12b-GGUF@v1.0/sub/dir/x.gguf"));
        assertEquals(new ModelReference.HubQuant(gguf, "main", "q4_k_m"),
                ModelReference.parse("hf://QuantFactory/pythia-12b-GGUF:q4_k_m"));
        assertEquals(new ModelReference.HubQuant(gguf, "abc", "Q8_0"),
                ModelReference.parse("HF://QuantFactory/pythia-12b-GGUF@abc:Q8_0"));
        assertEquals(new ModelReference.HubCheckpoint(PYTHIA, "step3000"),
                ModelReference.parse("hf://EleutherAI/pythia-160m@step3000"));
        assertEquals(new ModelReference.HubCheckpoint(PYTHIA, "main"),
                ModelReference.parse("hf://EleutherAI/pythia-160m"));
        assertEquals(new ModelReference.HubCheckpoint(PYTHIA, "refs/pr/1"),
                ModelReference.parse("hf://EleutherAI/pythia-160m@refs%2Fpr%2F1"));
    }

    @Test
    void malformedAndHostileReferencesAreRefused() {
        for (String bad : new String[] {"hf://", "hf://noslash", "hf://a/b/../../etc/passwd.gguf",
                "hf://a/b//abs.gguf", "hf://a/b/x\\..\\y.gguf", "hf://a/b@/x.gguf", "hf://a/b@../x.gguf",
                "hf://a--b/c", "hf://a/b..c", "hf://a/b:Q4 K", "hf://a/b/config.json", "hf://a/b/./x.gguf",
                "hf://a/b@%2E%2E/x.gguf", ""}) {
            HubException e = assertThrows(HubException.class, () -> ModelReference.parse(bad), bad);
            assertEquals(HubException.Kind.INVALID_REFERENCE, e.kind(), bad);
        }
        HubException e = assertThrows(HubException.class, () -> ModelReference.parse("hf://a/b/config.json"));
        assertTrue(e.getMessage().contains("hf://a/b"), e.getMessage());
    }

    @Test
    void repoFileNamesFromTheHubAreChecked() {
        for (String bad : new String[] {"../x", "a/../../x", "/etc/passwd", "C:\\x", "C:x", "a\\b", "a//b", "./a",
                "a/\u0000b", ""}) {
            assertThrows(HubException.class, () -> RepoFilePath.check(bad), bad);
        }
        assertTrue(RepoFilePath.isSafe("model-00001-of-00002.safetensors"));
        assertTrue(RepoFilePath.isSafe("sub/dir/x..y.gguf"));
    }

    @Test
    void quantTagsAreWholeWords() {
        assertEquals("Q4_K_M", QuantTag.of("pythia-12b.Q4_K_M.gguf").orElseThrow());
        assertEquals("Q8_0", QuantTag.of("dir/pythia-q8_0.gguf").orElseThrow());
        assertEquals("F16", QuantTag.of("pythia-160m-f16.gguf").orElseThrow());
        assertEquals("IQ4_XS", QuantTag.of("m-IQ4_XS.gguf").orElseThrow());
        assertTrue(QuantTag.of("pythia-160m.gguf").isEmpty());
        assertTrue(QuantTag.of("README.md").isEmpty());
        var files = java.util.List.of("m.Q4_K_M.gguf", "m.Q4_K_S.gguf", "m.q4_0.gguf");
        assertEquals(java.util.List.of("m.Q4_K_M.gguf"), QuantTag.matching(files, "q4_k_m"));
        assertEquals(java.util.List.of(), QuantTag.matching(files, "Q4_K"));
        assertEquals(java.util.List.of("Q4_0", "Q4_K_M", "Q4_K_S"), QuantTag.available(files));
    }
}
