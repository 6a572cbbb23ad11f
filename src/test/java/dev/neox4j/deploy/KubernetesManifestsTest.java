package dev.neox4j.deploy;

import dev.neox4j.config.NeoxConfig;
import dev.neox4j.ops.HealthConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Parses every manifest under {@code kubernetes/} with the fabric8 model and checks it against the application's
 * configuration and the Dockerfile: probe paths and ports, the container command, the model volume, the drain
 * timeout versus the termination grace period, and that the objects refer to each other by the right names.
 * There is no cluster here: this is what can be checked without one.
 */
class KubernetesManifestsTest {

    private static final Path DIR = Path.of("kubernetes");
    private static final String KUSTOMIZATION = "kustomization.yaml";
    private static final String QUEUE_DEPTH_VARIANT = "hpa-queue-depth.yaml";

    private static Map<String, HasMetadata> manifests;
    private static AppConfig app;
    private static Dockerfile dockerfile;

    @BeforeAll
    static void load() throws IOException {
        manifests = new LinkedHashMap<>();
        for (Path file : yamlFiles()) {
            String name = file.getFileName().toString();
            if (name.equals(KUSTOMIZATION)) {
                continue;
            }
            try (InputStream in = Files.newInputStream(file)) {
                Object parsed = Serialization.unmarshal(in);
                HasMetadata resource = assertInstanceOf(HasMetadata.class, parsed,
                        name + " is not a single Kubernetes object");
                manifests.put(name, resource);
            }
        }
        app = AppConfig.load();
        dockerfile = Dockerfile.read(Path.of("Dockerfile.jvm"));
    }

    private static List<Path> yamlFiles() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        }
    }

    private static <T extends HasMetadata> T only(Class<T> type, String file) {
        HasMetadata resource = manifests.get(file);
        assertNotNull(resource, "missing kubernetes/" + file);
        return assertInstanceOf(type, resource, file);
    }

    private static Deployment deployment() {
        return only(Deployment.class, "deployment.yaml");
    }

    private static PodSpec pod() {
        return deployment().getSpec().getTemplate().getSpec();
    }

    private static Container server() {
        List<Container> containers = pod().getContainers();
        assertEquals(1, containers.size(), "one server container");
        return containers.getFirst();
    }

    private static Map<String, String> config() {
        return only(ConfigMap.class, "configmap.yaml").getData();
    }

    @Test
    void everyManifestParsesAsTheExpectedKind() {
        Map<String, Class<? extends HasMetadata>> expected = Map.of(
                "deployment.yaml", Deployment.class,
                "service.yaml", Service.class,
                "configmap.yaml", ConfigMap.class,
                "pvc.yaml", PersistentVolumeClaim.class,
                "hpa.yaml", HorizontalPodAutoscaler.class,
                QUEUE_DEPTH_VARIANT, HorizontalPodAutoscaler.class,
                "pdb.yaml", PodDisruptionBudget.class);
        assertEquals(new TreeSet<>(expected.keySet()), new TreeSet<>(manifests.keySet()),
                "manifests in kubernetes/");
        expected.forEach((file, type) -> {
            HasMetadata resource = manifests.get(file);
            assertInstanceOf(type, resource, file);
            assertNotNull(resource.getMetadata().getName(), file + " has a name");
        });
    }

    @Test
    void kustomizationListsEveryManifestExceptTheAlternativeHpa() throws IOException {
        String text = Files.readString(DIR.resolve(KUSTOMIZATION));
        Set<String> listed = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^\\s*-\\s*(\\S+\\.ya?ml)\\s*$").matcher(text);
        while (m.find()) {
            listed.add(m.group(1));
        }
        Set<String> expected = new TreeSet<>(manifests.keySet());
        expected.remove(QUEUE_DEPTH_VARIANT);
        assertEquals(expected, listed);
    }

    @Test
    void probesUseTheHealthEndpointsOnTheApplicationPort() {
        Container c = server();
        int port = app.observabilityPort();
        assertProbe(c, c.getStartupProbe(), app.healthPath("startup"), port);
        assertProbe(c, c.getReadinessProbe(), app.healthPath("readiness"), port);
        assertProbe(c, c.getLivenessProbe(), app.healthPath("liveness"), port);
        assertEquals("/q/health/started", app.healthPath("startup"), "defaults as documented in the README");
    }

    private static void assertProbe(Container c, Probe probe, String path, int port) {
        assertNotNull(probe, "probe for " + path);
        HTTPGetAction get = probe.getHttpGet();
        assertNotNull(get, path + " is an HTTP probe");
        assertEquals(path, get.getPath());
        assertEquals(port, resolvePort(c, get.getPort()), "port of the probe on " + path);
    }

    private static int resolvePort(Container c, IntOrString port) {
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        return c.getPorts().stream().filter(p -> port.getStrVal().equals(p.getName()))
                .map(ContainerPort::getContainerPort).findFirst()
                .orElseThrow(() -> new AssertionError("no container port named " + port.getStrVal()));
    }

    @Test
    void containerPortIsTheApplicationPortAndTheDockerfilesExposedPort() {
        Container c = server();
        ContainerPort http = c.getPorts().stream().filter(p -> "http".equals(p.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("container port 'http'"));
        assertEquals(app.httpPort(), http.getContainerPort());
        assertTrue(dockerfile.finalStage().all("EXPOSE").stream()
                        .anyMatch(e -> e.arguments().split("[\\s/]")[0].equals(String.valueOf(app.httpPort()))),
                "Dockerfile.jvm EXPOSEs " + app.httpPort());
    }

    @Test
    void probeDelaysLeaveTimeToLoadALargeModel() {
        Probe startup = server().getStartupProbe();
        int budget = value(startup.getInitialDelaySeconds()) + value(startup.getPeriodSeconds())
                * value(startup.getFailureThreshold(), 3);
        assertTrue(budget >= 300, "startup probe allows at least 5 minutes to load, got " + budget + " s");
        Probe liveness = server().getLivenessProbe();
        assertTrue(value(liveness.getPeriodSeconds(), 10) * value(liveness.getFailureThreshold(), 3) >= 30,
                "liveness tolerates at least 30 s of missed probes");
    }

    private static int value(Integer v) {
        return v == null ? 0 : v;
    }

    private static int value(Integer v, int defaultValue) {
        return v == null ? defaultValue : v;
    }

    @Test
    void containerCommandIsTheDockerfileEntrypoint() {
        Container c = server();
        List<String> command = new ArrayList<>();
        if (c.getCommand() != null) {
            command.addAll(c.getCommand());
        }
        if (c.getArgs() != null) {
            command.addAll(c.getArgs());
        }
        List<String> entrypoint = dockerfile.entrypoint();
        assertEquals(entrypoint, command, "deployment command + args == Dockerfile.jvm ENTRYPOINT");
        int addModules = entrypoint.indexOf("--add-modules");
        assertTrue(addModules >= 0 && entrypoint.get(addModules + 1).equals("jdk.incubator.vector"),
                "the Vector API module is added: " + entrypoint);
        int jar = entrypoint.indexOf("-jar");
        assertTrue(jar >= 0, "-jar in " + entrypoint);
        String jarPath = entrypoint.get(jar + 1);
        assertTrue(dockerfile.finalStage().all("COPY").stream().anyMatch(cp -> cp.arguments().endsWith(" " + jarPath)),
                "Dockerfile.jvm copies " + jarPath);
    }

    @Test
    void jvmOptionsLeaveMemoryForTheMappedWeights() {
        Container c = server();
        String fromDeployment = c.getEnv().stream().filter(e -> e.getName().equals("JDK_JAVA_OPTIONS"))
                .map(e -> e.getValue()).findFirst().orElse(null);
        String options = fromDeployment != null ? fromDeployment : dockerfile.env("JDK_JAVA_OPTIONS").orElse("");
        Matcher m = Pattern.compile("-XX:MaxRAMPercentage=([0-9.]+)").matcher(options);
        assertTrue(m.find(), "MaxRAMPercentage set in " + options);
        double percent = Double.parseDouble(m.group(1));
        long limit = bytes(c.getResources().getLimits().get("memory"));
        long heap = (long) (limit * percent / 100);
        assertTrue(percent <= 50, "heap at most half of the limit, got " + percent + "%");
        assertTrue(limit - heap >= 8L << 30, "at least 8 GiB outside the heap for a 7 GB model's page cache");
    }

    private static long bytes(Quantity q) {
        assertNotNull(q, "memory limit");
        return Quantity.getAmountInBytes(q).longValueExact();
    }

    @Test
    void cpuAndMemoryRequestsAndLimitsAreSetAndThreadsFitTheCpuLimit() {
        var resources = server().getResources();
        for (String kind : List.of("cpu", "memory")) {
            assertNotNull(resources.getRequests().get(kind), "request " + kind);
            assertNotNull(resources.getLimits().get(kind), "limit " + kind);
            assertTrue(Quantity.getAmountInBytes(resources.getRequests().get(kind))
                            .compareTo(Quantity.getAmountInBytes(resources.getLimits().get(kind))) <= 0,
                    kind + " request <= limit");
        }
        double cpuLimit = Quantity.getAmountInBytes(resources.getLimits().get("cpu")).doubleValue();
        int threads = Integer.parseInt(config().get("NEOX_THREADS"));
        assertTrue(threads >= 1 && threads <= cpuLimit, "NEOX_THREADS " + threads + " within the CPU limit " + cpuLimit);
    }

    @Test
    void modelIsOnAReadOnlyVolumeFromThePersistentVolumeClaim() {
        Container c = server();
        VolumeMount mount = c.getVolumeMounts().stream().filter(v -> v.getMountPath().equals("/models")).findFirst()
                .orElseThrow(() -> new AssertionError("/models is mounted"));
        assertEquals(Boolean.TRUE, mount.getReadOnly(), "the model volume is read-only in the server");
        Volume volume = pod().getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("volume " + mount.getName()));
        assertNotNull(volume.getPersistentVolumeClaim(), "the model volume comes from a PVC");
        assertEquals(only(PersistentVolumeClaim.class, "pvc.yaml").getMetadata().getName(),
                volume.getPersistentVolumeClaim().getClaimName());
        String model = config().get("NEOX_MODEL");
        assertTrue(model.startsWith("/models/") && model.endsWith(".gguf"), "NEOX_MODEL on the volume: " + model);
        assertEquals(model, dockerfile.env("NEOX_MODEL").orElse(null), "same default as Dockerfile.jvm");
    }

    @Test
    void optionalInitContainerDownloadsOnlyWhenSwitchedOn() {
        List<Container> init = pod().getInitContainers();
        assertEquals(1, init.size());
        Container download = init.getFirst();
        String script = String.join("\n", download.getArgs());
        assertTrue(script.contains("if [ -z \"${MODEL_URL:-}\" ]") && script.contains("exit 0"),
                "skips the download when MODEL_URL is empty");
        assertTrue(config().containsKey("MODEL_URL"), "the switch is in the ConfigMap");
        assertEquals("", config().get("MODEL_URL"), "off by default");
        assertTrue(download.getVolumeMounts().stream().anyMatch(v -> v.getMountPath().equals("/models")
                && !Boolean.TRUE.equals(v.getReadOnly())), "the downloader can write the model volume");
        assertTrue(script.contains("mv -f"), "renames a complete download into place");
    }

    @Test
    void environmentComesFromTheConfigMap() {
        String name = only(ConfigMap.class, "configmap.yaml").getMetadata().getName();
        assertTrue(server().getEnvFrom().stream()
                        .anyMatch(e -> e.getConfigMapRef() != null && name.equals(e.getConfigMapRef().getName())),
                "envFrom the ConfigMap " + name);
        for (String key : config().keySet()) {
            assertTrue(key.startsWith("NEOX_") || key.startsWith("MODEL_"), "unexpected key " + key);
            assertEquals(key.toUpperCase(Locale.ROOT), key, "environment variable names are upper-case");
        }
    }

    @Test
    void configMapSetsOnlyKnownNeoxSettings() {
        Set<String> known = new TreeSet<>();
        collectEnvNames("NEOX", NeoxConfig.class, known);
        collectEnvNames("NEOX_HEALTH", HealthConfig.class, known);
        assertTrue(known.contains("NEOX_SHUTDOWN_DRAIN_TIMEOUT") && known.contains("NEOX_MODEL")
                && known.contains("NEOX_HEALTH_STALL_TIMEOUT"), known.toString());
        for (String key : config().keySet()) {
            if (key.startsWith("NEOX_")) {
                assertTrue(known.contains(key), key + " is not a neox.* setting; known: " + known);
            }
        }
    }

    /** The environment variable names of a {@code @ConfigMapping} interface's keys, groups included. */
    private static void collectEnvNames(String prefix, Class<?> mapping, Set<String> out) {
        for (Method m : mapping.getDeclaredMethods()) {
            if (m.getParameterCount() != 0 || m.isDefault() || Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            String env = prefix + "_" + m.getName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
            Class<?> type = m.getReturnType();
            if (type.isInterface() && type.getEnclosingClass() == mapping) {
                collectEnvNames(env, type, out);
            } else {
                out.add(env);
            }
        }
    }

    @Test
    void terminationGracePeriodExceedsPreStopPlusDrainTimeout() {
        Duration drain = quarkusDuration(config().get("NEOX_SHUTDOWN_DRAIN_TIMEOUT"));
        long grace = pod().getTerminationGracePeriodSeconds();
        long preStop = 0;
        var lifecycle = server().getLifecycle();
        if (lifecycle != null && lifecycle.getPreStop() != null && lifecycle.getPreStop().getExec() != null) {
            List<String> cmd = lifecycle.getPreStop().getExec().getCommand();
            if (cmd.size() == 2 && cmd.getFirst().equals("sleep")) {
                preStop = Long.parseLong(cmd.get(1));
            }
        }
        assertTrue(grace > preStop + drain.toSeconds(), "terminationGracePeriodSeconds " + grace
                + " > preStop " + preStop + " s + drain timeout " + drain.toSeconds() + " s");
    }

    /** Quarkus duration syntax: ISO-8601 ({@code PT60S}), a number with ms/s/m/h/d, or a bare number of seconds. */
    static Duration quarkusDuration(String text) {
        assertNotNull(text, "duration");
        String s = text.strip();
        if (s.toUpperCase(Locale.ROOT).startsWith("P")) {
            return Duration.parse(s);
        }
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h|d)?").matcher(s);
        if (!m.matches()) {
            fail("not a duration: " + text);
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    @Test
    void quarkusDurationsAreReadAsQuarkusReadsThem() {
        assertEquals(Duration.ofSeconds(60), quarkusDuration("60s"));
        assertEquals(Duration.ofSeconds(60), quarkusDuration("PT1M"));
        assertEquals(Duration.ofSeconds(45), quarkusDuration("45"));
        assertEquals(Duration.ofMinutes(2), quarkusDuration("2m"));
    }

    @Test
    void podRunsAsTheDockerfilesNonRootUser() {
        var sc = pod().getSecurityContext();
        assertEquals(Boolean.TRUE, sc.getRunAsNonRoot());
        String user = dockerfile.finalStage().last("USER").orElseThrow().arguments().split(":")[0];
        assertEquals(Long.parseLong(user), sc.getRunAsUser(), "same uid as Dockerfile.jvm's USER");
        assertFalse(user.equals("0"));
    }

    @Test
    void serviceHpaAndPdbPointAtTheDeployment() {
        Deployment d = deployment();
        Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
        assertTrue(podLabels.entrySet().containsAll(d.getSpec().getSelector().getMatchLabels().entrySet()),
                "the deployment's selector matches its pods");

        Service service = only(Service.class, "service.yaml");
        assertTrue(podLabels.entrySet().containsAll(service.getSpec().getSelector().entrySet()),
                "the service selects the pods");
        for (ServicePort port : service.getSpec().getPorts()) {
            assertEquals(app.httpPort(), resolvePort(server(), port.getTargetPort()), "service target port");
        }

        for (String file : List.of("hpa.yaml", QUEUE_DEPTH_VARIANT)) {
            HorizontalPodAutoscaler hpa = only(HorizontalPodAutoscaler.class, file);
            assertEquals("Deployment", hpa.getSpec().getScaleTargetRef().getKind(), file);
            assertEquals(d.getMetadata().getName(), hpa.getSpec().getScaleTargetRef().getName(), file);
            assertTrue(hpa.getSpec().getMinReplicas() >= 1 && hpa.getSpec().getMinReplicas() <= hpa.getSpec().getMaxReplicas(),
                    file + " replica range");
        }
        List<MetricSpec> cpu = only(HorizontalPodAutoscaler.class, "hpa.yaml").getSpec().getMetrics();
        assertTrue(cpu.stream().anyMatch(m -> m.getResource() != null && m.getResource().getName().equals("cpu")),
                "hpa.yaml scales on CPU");
        List<MetricSpec> queue = only(HorizontalPodAutoscaler.class, QUEUE_DEPTH_VARIANT).getSpec().getMetrics();
        assertTrue(queue.stream().anyMatch(m -> m.getPods() != null
                        && m.getPods().getMetric().getName().equals("neox_requests_waiting")),
                "the variant scales on neox_requests_waiting");
        assertEquals(only(HorizontalPodAutoscaler.class, "hpa.yaml").getMetadata().getName(),
                only(HorizontalPodAutoscaler.class, QUEUE_DEPTH_VARIANT).getMetadata().getName(),
                "the variant replaces hpa.yaml rather than adding a second autoscaler");

        PodDisruptionBudget pdb = only(PodDisruptionBudget.class, "pdb.yaml");
        assertTrue(podLabels.entrySet().containsAll(pdb.getSpec().getSelector().getMatchLabels().entrySet()),
                "the PDB selects the pods");
    }

    @Test
    void prometheusScrapeAnnotationsMatchTheMetricsEndpoint() {
        Map<String, String> annotations = deployment().getSpec().getTemplate().getMetadata().getAnnotations();
        assertEquals("true", annotations.get("prometheus.io/scrape"));
        assertEquals(app.metricsPath(), annotations.get("prometheus.io/path"));
        assertEquals(String.valueOf(app.observabilityPort()), annotations.get("prometheus.io/port"));
    }
}
