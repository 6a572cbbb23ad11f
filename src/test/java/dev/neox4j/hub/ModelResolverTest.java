package dev.neox4j.hub;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Hub protocol and cache against the tests' own Hub stand-in. */
class ModelResolverTest {

    @TempDir
    Path cache;

    private HubStandIn hub;
    private byte[] gguf;
    private String ggufSha;
    private String commit;
    private HubStandIn.Repo repo;

    @BeforeEach
    void start() throws IOException {
        hub = new HubStandIn();
        gguf = random(300_000, 1);
        ggufSha = HubStandIn.sha256(gguf);
        repo = hub.repo("acme/tiny-GGUF");
        commit = repo.commit("main", Map.of("tiny.Q8_0.gguf", gguf, "README.md", bytes("# tiny")));
        repo.tag("v1", commit);
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private HubSettings settings(Optional<String> token) {
        return new HubSettings(hub.endpoint(), token, false, cache);
    }

    private Path resolve(HubSettings settings, String reference) throws IOException {
        try (ModelResolver r = ModelResolver.create(settings, Duration.ofSeconds(1), Duration.ofMillis(10))) {
            return r.resolve(reference);
        }
    }

    private Path resolve(String reference) throws IOException {
        return resolve(settings(Optional.empty()), reference);
    }

    private HubException failure(HubSettings settings, String reference) {
        return assertThrows(HubException.class, () -> resolve(settings, reference));
    }

    private List<HubStandIn.Request> cdnRequests() {
        return hub.requests().stream().filter(r -> r.server().equals("cdn")).toList();
    }

    @Test
    void lfsFileComesFromTheRedirectTargetWithoutTheToken() throws IOException {
        Path path = resolve(settings(Optional.of("hf_secret")), "hf://acme/tiny-GGUF/tiny.Q8_0.gguf");

        Path repoDir = cache.resolve("models--acme--tiny-GGUF");
        assertEquals(repoDir.resolve("snapshots").resolve(commit).resolve("tiny.Q8_0.gguf"), path);
        assertArrayEquals(gguf, Files.readAllBytes(path));
        // huggingface_hub's layout: a relative link to the blob named by the sha256, the ref holding the commit
        assertTrue(Files.isSymbolicLink(path));
        assertEquals(Path.of("../../blobs/" + ggufSha), Files.readSymbolicLink(path));
        assertEquals(commit, Files.readString(repoDir.resolve("refs/main")));
        try (Stream<Path> blobs = Files.list(repoDir.resolve("blobs"))) {
            assertEquals(List.of(ggufSha), blobs.map(p -> p.getFileName().toString()).toList());
        }
        HubStandIn.Request head = hub.requests().getFirst();
        assertEquals("HEAD", head.method());
        assertEquals("/acme/tiny-GGUF/resolve/main/tiny.Q8_0.gguf", head.path());
        assertEquals("Bearer hf_secret", head.authorization());
        assertEquals(1, cdnRequests().size());
        assertNull(cdnRequests().getFirst().authorization(), "the presigned URL gets no Authorization");
    }

    @Test
    void aCachedCommitNeedsNoRequest() throws IOException {
        Path first = resolve("hf://acme/tiny-GGUF/tiny.Q8_0.gguf");
        hub.clearRequests();
        assertEquals(first, resolve("hf://acme/tiny-GGUF@" + commit + "/tiny.Q8_0.gguf"));
        assertEquals(List.of(), hub.requests());
        // a branch is asked again (it may have moved), but the blob is not downloaded twice
        assertEquals(first, resolve("hf://acme/tiny-GGUF/tiny.Q8_0.gguf"));
        assertEquals(List.of(), cdnRequests());
    }

    @Test
    void offlineServesTheCacheAndMakesNoRequest() throws IOException {
        Path first = resolve("hf://acme/tiny-GGUF:Q8_0");
        hub.clearRequests();
        HubSettings offline = settings(Optional.empty()).withOffline(true);
        assertEquals(first, resolve(offline, "hf://acme/tiny-GGUF/tiny.Q8_0.gguf"));
        assertEquals(first, resolve(offline, "hf://acme/tiny-GGUF:q8_0"));
        HubException e = failure(offline, "hf://acme/tiny-GGUF@v1/tiny.Q8_0.gguf");
        assertEquals(HubException.Kind.OFFLINE, e.kind());
        assertTrue(e.getMessage().contains("HF_HUB_OFFLINE") && e.getMessage().contains("not in the cache"),
                e.getMessage());
        assertEquals(HubException.Kind.OFFLINE, failure(offline, "hf://acme/other").kind());
        assertEquals(List.of(), hub.requests());
    }

    @Test
    void anUnreachableHubFallsBackToTheCache() throws IOException {
        Path first = resolve("hf://acme/tiny-GGUF/tiny.Q8_0.gguf");
        HubSettings down = settings(Optional.empty()).withEndpoint("http://127.0.0.1:1");
        assertEquals(first, resolve(down, "hf://acme/tiny-GGUF/tiny.Q8_0.gguf"));
        HubException e = failure(down, "hf://acme/tiny-GGUF/README.md.gguf");
        assertEquals(HubException.Kind.OFFLINE, e.kind());
        assertTrue(e.getMessage().contains("cannot reach"), e.getMessage());
    }

    @Test
    void aCutTransferResumesWithRange() throws IOException {
        hub.cutAfter(ggufSha, 100_000, 2);
        Path path = resolve("hf://acme/tiny-GGUF/tiny.Q8_0.gguf");
        assertArrayEquals(gguf, Files.readAllBytes(path));
        List<HubStandIn.Request> cdn = cdnRequests();
        assertEquals(3, cdn.size(), cdn.toString());
        assertNull(cdn.get(0).range());
        // each transfer is cut after 100,000 bytes of its own; the client resumes from what it kept, which can
        // be less than was sent when the cut connection is reset with bytes still in flight (seen on CI: 98,184),
        // and the assembled file is checked byte for byte above
        long first = resumeOffset(cdn.get(1).range());
        long second = resumeOffset(cdn.get(2).range());
        assertTrue(first > 0 && first <= 100_000, cdn.toString());
        assertTrue(second > first && second <= first + 100_000, cdn.toString());
    }

    private static long resumeOffset(String range) {
        assertTrue(range != null && range.startsWith("bytes=") && range.endsWith("-"), String.valueOf(range));
        return Long.parseLong(range.substring(6, range.length() - 1));
    }

    @Test
    void aStalledTransferIsCutAndResumed() throws IOException {
        hub.stallAfter(ggufSha, 50_000);
        Path path = resolve("hf://acme/tiny-GGUF/tiny.Q8_0.gguf");
        assertArrayEquals(gguf, Files.readAllBytes(path));
        assertEquals("bytes=50000-", cdnRequests().get(1).range());
    }

    @Test
    void aCorruptBlobIsRefusedAndNothingKept() throws IOException {
        hub.corrupt(ggufSha);
        HubException e = failure(settings(Optional.empty()), "hf://acme/tiny-GGUF/tiny.Q8_0.gguf");
        assertEquals(HubException.Kind.INTEGRITY, e.kind());
        assertTrue(e.getMessage().contains("sha256"), e.getMessage());
        Path repoDir = cache.resolve("models--acme--tiny-GGUF");
        try (Stream<Path> blobs = Files.list(repoDir.resolve("blobs"))) {
            assertEquals(List.of(), blobs.toList());
        }
        assertFalse(Files.exists(repoDir.resolve("snapshots").resolve(commit).resolve("tiny.Q8_0.gguf"),
                java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aGatedRepoNamesHfToken() throws IOException {
        HubStandIn.Repo gated = hub.repo("acme/gated").gate("hf_right");
        gated.commit("main", Map.of("g.Q4_0.gguf", gguf));
        HubException none = failure(settings(Optional.empty()), "hf://acme/gated/g.Q4_0.gguf");
        assertEquals(HubException.Kind.UNAUTHORIZED, none.kind());
        assertTrue(none.getMessage().contains("HF_TOKEN") && none.getMessage().contains("401"), none.getMessage());
        HubException wrong = failure(settings(Optional.of("hf_wrong")), "hf://acme/gated:Q4_0");
        assertEquals(HubException.Kind.UNAUTHORIZED, wrong.kind());
        assertTrue(wrong.getMessage().contains("HF_TOKEN") && wrong.getMessage().contains("403"),
                wrong.getMessage());
        Path ok = resolve(settings(Optional.of("hf_right")), "hf://acme/gated:Q4_0");
        assertArrayEquals(gguf, Files.readAllBytes(ok));
    }

    @Test
    void unknownRevisionFileAndRepoSayWhatExists() {
        HubException rev = failure(settings(Optional.empty()), "hf://acme/tiny-GGUF@nope/tiny.Q8_0.gguf");
        assertEquals(HubException.Kind.NOT_FOUND, rev.kind());
        assertTrue(rev.getMessage().contains("'nope'") && rev.getMessage().contains("main")
                && rev.getMessage().contains("v1"), rev.getMessage());
        HubException file = failure(settings(Optional.empty()), "hf://acme/tiny-GGUF/missing.gguf");
        assertEquals(HubException.Kind.NOT_FOUND, file.kind());
        assertTrue(file.getMessage().contains("tiny.Q8_0.gguf") && file.getMessage().contains("README.md"),
                file.getMessage());
        HubException repoMissing = failure(settings(Optional.empty()), "hf://acme/nothing:Q8_0");
        assertTrue(repoMissing.getMessage().contains("not found") && repoMissing.getMessage().contains("HF_TOKEN"),
                repoMissing.getMessage());
    }

    @Test
    void quantsMatchCaseInsensitivelyAndMissesListTheQuants() throws IOException {
        HubStandIn.Repo q = hub.repo("acme/many-GGUF");
        byte[] a = random(1000, 2);
        q.commit("main", Map.of("m.Q4_K_M.gguf", a, "m.Q4_K_S.gguf", random(1000, 3), "m-f16.gguf",
                random(1000, 4), "m.Q8_0.gguf", random(1000, 5), "sub/m.Q8_0.gguf", random(1000, 6)));
        assertArrayEquals(a, Files.readAllBytes(resolve("hf://acme/many-GGUF:q4_k_m")));
        HubException none = failure(settings(Optional.empty()), "hf://acme/many-GGUF:Q4_K");
        assertEquals(HubException.Kind.NOT_FOUND, none.kind());
        assertTrue(none.getMessage().contains("F16, Q4_K_M, Q4_K_S, Q8_0"), none.getMessage());
        HubException several = failure(settings(Optional.empty()), "hf://acme/many-GGUF:Q8_0");
        assertTrue(several.getMessage().contains("several") && several.getMessage().contains("sub/m.Q8_0.gguf"),
                several.getMessage());
    }

    @Test
    void theTreeApiListsFilesWhenModelInfoIsMissing() throws IOException {
        hub.disableRevisionApi();
        assertArrayEquals(gguf, Files.readAllBytes(resolve("hf://acme/tiny-GGUF:Q8_0")));
    }

    @Test
    void aHubThatResolvesOnlyNamesIsAskedForTheRevision() throws IOException {
        hub.resolveNamesOnly();
        Path path = resolve("hf://acme/tiny-GGUF:Q8_0");
        assertArrayEquals(gguf, Files.readAllBytes(path));
        assertTrue(hub.requests().stream().anyMatch(r -> r.path().equals("/acme/tiny-GGUF/resolve/" + commit
                + "/tiny.Q8_0.gguf")), "the listing's commit is tried first, as snapshot_download does");
    }

    @Test
    void aShardedSafetensorsCheckpointBecomesASnapshotDirectory() throws IOException {
        HubStandIn.Repo ckpt = hub.repo("acme/pythia-tiny");
        byte[] s1 = random(5000, 7);
        byte[] s2 = random(3000, 8);
        String index = """
                {"metadata": {"total_size": 8000}, "weight_map": {
                  "gpt_neox.embed_in.weight": "model-00001-of-00002.safetensors",
                  "gpt_neox.layers.0.attention.dense.weight": "model-00001-of-00002.safetensors",
                  "embed_out.weight": "model-00002-of-00002.safetensors"}}""";
        String c = ckpt.commit("step3000", Map.of("config.json", bytes("{\"model_type\": \"gpt_neox\"}"),
                "tokenizer.json", bytes("{}"), "model.safetensors.index.json", bytes(index),
                "model-00001-of-00002.safetensors", s1, "model-00002-of-00002.safetensors", s2,
                "pytorch_model.bin", random(4000, 9), "README.md", bytes("x")));
        Path dir = resolve("hf://acme/pythia-tiny@step3000");
        assertEquals(cache.resolve("models--acme--pythia-tiny/snapshots").resolve(c), dir);
        assertArrayEquals(s1, Files.readAllBytes(dir.resolve("model-00001-of-00002.safetensors")));
        assertArrayEquals(s2, Files.readAllBytes(dir.resolve("model-00002-of-00002.safetensors")));
        assertTrue(Files.isRegularFile(dir.resolve("config.json")) && Files.isRegularFile(dir.resolve("tokenizer.json")));
        assertFalse(Files.exists(dir.resolve("pytorch_model.bin")), "safetensors are preferred");
        assertFalse(Files.exists(dir.resolve("README.md")));
        assertEquals(c, Files.readString(cache.resolve("models--acme--pythia-tiny/refs/step3000")));
        // offline, the same snapshot is found again
        assertEquals(dir, resolve(settings(Optional.empty()).withOffline(true), "hf://acme/pythia-tiny@step3000"));
    }

    @Test
    void aPytorchCheckpointIsTakenWhenThereAreNoSafetensors() throws IOException {
        byte[] bin = random(4000, 10);
        hub.repo("acme/pt").commit("main", Map.of("config.json", bytes("{}"), "tokenizer.json", bytes("{}"),
                "pytorch_model.bin", bin));
        assertArrayEquals(bin, Files.readAllBytes(resolve("hf://acme/pt").resolve("pytorch_model.bin")));
    }

    @Test
    void aGgufRepoIsNotACheckpoint() {
        HubException e = failure(settings(Optional.empty()), "hf://acme/tiny-GGUF");
        assertEquals(HubException.Kind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains(":QUANT")
                && e.getMessage().contains("Q8_0"), e.getMessage());
    }

    @Test
    void hostileShardNamesAreRefused() throws IOException {
        String index = "{\"weight_map\": {\"w\": \"../../../../../escaped.safetensors\"}}";
        hub.repo("acme/evil").commit("main", Map.of("config.json", bytes("{}"), "tokenizer.json", bytes("{}"),
                "model.safetensors.index.json", bytes(index)));
        HubException e = failure(settings(Optional.empty()), "hf://acme/evil");
        assertEquals(HubException.Kind.INVALID_REFERENCE, e.kind());
        assertTrue(e.getMessage().contains(".."), e.getMessage());
        Path escaped = cache.resolve("models--acme--evil/snapshots/c/../../../../../escaped.safetensors").normalize();
        assertFalse(Files.exists(escaped, java.nio.file.LinkOption.NOFOLLOW_LINKS), escaped.toString());
        try (Stream<Path> all = Files.walk(cache)) {
            assertTrue(all.noneMatch(p -> p.getFileName().toString().equals("escaped.safetensors")));
        }
    }

    @Test
    void concurrentDownloadsOfOneFileShareOneTransfer() throws Exception {
        hub.cdnDelay(1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Callable<Path> task = () -> resolve("hf://acme/tiny-GGUF/tiny.Q8_0.gguf");
                results.add(pool.submit(task));
            }
            for (Future<Path> f : results) {
                assertArrayEquals(gguf, Files.readAllBytes(f.get()));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, cdnRequests().size(), "the others waited for the lock and found the blob");
        try (Stream<Path> blobs = Files.list(cache.resolve("models--acme--tiny-GGUF/blobs"))) {
            assertEquals(List.of(ggufSha), blobs.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void aCacheWrittenByHuggingFaceHubIsUsed() throws IOException {
        // the layout huggingface_hub writes: blob, relative link in the snapshot, ref
        Path repoDir = cache.resolve("models--other--py-GGUF");
        String pyCommit = "0123456789abcdef0123456789abcdef01234567";
        Files.createDirectories(repoDir.resolve("blobs"));
        Files.write(repoDir.resolve("blobs").resolve(ggufSha), gguf);
        Path snapshot = Files.createDirectories(repoDir.resolve("snapshots").resolve(pyCommit).resolve("q"));
        Files.createSymbolicLink(snapshot.resolve("py.Q5_K_M.gguf"), Path.of("../../../blobs/" + ggufSha));
        Files.createDirectories(repoDir.resolve("refs"));
        Files.writeString(repoDir.resolve("refs/main"), pyCommit);
        HubSettings offline = settings(Optional.empty()).withOffline(true);
        assertArrayEquals(gguf, Files.readAllBytes(resolve(offline, "hf://other/py-GGUF:Q5_K_M")));
        assertArrayEquals(gguf, Files.readAllBytes(resolve(offline, "hf://other/py-GGUF@" + pyCommit
                + "/q/py.Q5_K_M.gguf")));
        assertEquals(List.of(), hub.requests());
    }

    @Test
    void nestedFilesLinkRelativelyToTheirBlob() throws IOException {
        byte[] nested = random(2000, 11);
        String c = hub.repo("acme/nested").commit("main", Map.of("a/b/n.Q4_0.gguf", nested));
        Path path = resolve("hf://acme/nested/a/b/n.Q4_0.gguf");
        assertEquals(cache.resolve("models--acme--nested/snapshots/" + c + "/a/b/n.Q4_0.gguf"), path);
        assertEquals(Path.of("../../../../blobs/" + HubStandIn.sha256(nested)), Files.readSymbolicLink(path));
        assertArrayEquals(nested, Files.readAllBytes(path));
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
