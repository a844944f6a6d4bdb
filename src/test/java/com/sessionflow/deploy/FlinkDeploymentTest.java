package com.sessionflow.deploy;

import static com.sessionflow.deploy.DeployFiles.list;
import static com.sessionflow.deploy.DeployFiles.map;
import static com.sessionflow.deploy.DeployFiles.number;
import static com.sessionflow.deploy.DeployFiles.repositoryRoot;
import static com.sessionflow.deploy.DeployFiles.string;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.sessionflow.job.CheckpointInterval;
import com.sessionflow.job.JobOptions;
import com.sessionflow.job.SessionJob;
import com.sessionflow.testing.TestDirs;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.YamlParserUtils;
import org.apache.flink.util.TimeUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The Kubernetes deployment ({@code k8s/flink-deployment.yaml}) against the rest of the repository:
 * its Flink settings are {@code flink-conf/config.yaml}'s except where Kubernetes needs others, its
 * job options are ones the job accepts, its jar is where {@code k8s/Dockerfile} puts the one Maven
 * builds, and it is for pom.xml's Flink. Nothing here talks to Kubernetes.
 */
@TestInstance(Lifecycle.PER_CLASS)
class FlinkDeploymentTest {

    private static final String DEPLOYMENT = "k8s/flink-deployment.yaml";

    /** Keys of config.yaml the deployment must not set, and why. */
    private static final Map<String, String> ABSENT_ON_KUBERNETES =
            Map.of(
                    "jobmanager.bind-host",
                    "localhost in config.yaml; unset, the JobManager listens on all interfaces,"
                            + " which the TaskManager pods need",
                    "taskmanager.bind-host",
                    "localhost in config.yaml; unset, the TaskManager listens on all interfaces",
                    "jobmanager.rpc.address",
                    "native Kubernetes sets it to the JobManager's service (its pod IP with HA)",
                    "rest.address",
                    "native Kubernetes sets it to the REST service",
                    "rest.bind-address",
                    "localhost in config.yaml; unset, the REST server listens on all interfaces",
                    "jobmanager.memory.process.size",
                    "the operator sets it from spec.jobManager.resource.memory",
                    "taskmanager.memory.process.size",
                    "the operator sets it from spec.taskManager.resource.memory");

    /** Keys of config.yaml the deployment sets to another value, and why. */
    private static final Map<String, String> DIFFERENT_ON_KUBERNETES =
            Map.of(
                    "execution.checkpointing.dir",
                    "config.yaml's file:///tmp is a placeholder, and pods share no disk",
                    "execution.checkpointing.savepoint-dir",
                    "likewise; the operator's upgrade savepoints go there too");

    /** Keys only the deployment has, and why. */
    private static final Map<String, String> ONLY_ON_KUBERNETES =
            Map.of(
                    "high-availability.type",
                    "the JobManager's pod can restart without losing the job, and the operator"
                            + " can fall back to the last checkpoint",
                    "high-availability.storageDir",
                    "where Kubernetes HA keeps the JobManager's metadata");

    // read once, before the tests (one instance for the class)
    private Path root;
    private Map<String, String> clusterConf;
    private Map<?, ?> spec;
    private Map<String, String> deploymentConf;
    private Element pom;

    @BeforeAll
    void load() throws Exception {
        root = repositoryRoot();
        clusterConf = flinkConfiguration(root.resolve("flink-conf"));
        Map<?, ?> deployment = YamlParserUtils.loadYamlFile(root.resolve(DEPLOYMENT).toFile());
        assertThat(deployment.get("apiVersion")).isEqualTo("flink.apache.org/v1beta1");
        assertThat(deployment.get("kind")).isEqualTo("FlinkDeployment");
        spec = map(deployment, "spec");
        // through the same loader as config.yaml, so nested and dotted keys flatten as Flink does
        Path dir = TestDirs.newDir("flink-deployment");
        Files.writeString(
                dir.resolve(GlobalConfiguration.FLINK_CONF_FILENAME),
                YamlParserUtils.toYAMLString(map(spec, "flinkConfiguration")),
                UTF_8);
        deploymentConf = flinkConfiguration(dir);
        DocumentBuilderFactory xml = DocumentBuilderFactory.newInstance();
        xml.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        pom = xml.newDocumentBuilder().parse(root.resolve("pom.xml").toFile()).getDocumentElement();
    }

    @Test
    void everyConfigYamlSettingIsInTheDeploymentWithTheSameValue() {
        Map<String, String> expected = new TreeMap<>(clusterConf);
        expected.keySet().removeAll(ABSENT_ON_KUBERNETES.keySet());
        expected.keySet().removeAll(DIFFERENT_ON_KUBERNETES.keySet());
        // guards against a loader that reads nothing, which would make the check below vacuous
        assertThat(expected).containsKeys("state.backend.type", "metrics.reporter.prom.port");
        assertThat(deploymentConf).containsAllEntriesOf(expected);
    }

    @Test
    void theSettingsThatMustDifferAreAbsentOrDifferentOnPurpose() {
        ABSENT_ON_KUBERNETES.forEach(
                (key, why) -> {
                    // a key gone from config.yaml must leave this list too, or the list rots
                    assertThat(clusterConf).as("config.yaml").containsKey(key);
                    assertThat(deploymentConf).as(key + ": " + why).doesNotContainKey(key);
                });
        DIFFERENT_ON_KUBERNETES.forEach(
                (key, why) -> {
                    assertThat(clusterConf).as("config.yaml").containsKey(key);
                    assertThat(deploymentConf).as(key + ": " + why).containsKey(key);
                    assertThat(deploymentConf.get(key))
                            .as(key + ": " + why)
                            .isNotEqualTo(clusterConf.get(key))
                            .doesNotStartWith("file:");
                });
    }

    @Test
    void theDeploymentAddsOnlyTheKubernetesSettings() {
        Set<String> added = new TreeSet<>(deploymentConf.keySet());
        added.removeAll(clusterConf.keySet());
        // anything else belongs in config.yaml too, so the standalone cluster runs the same way
        assertThat(added).isEqualTo(ONLY_ON_KUBERNETES.keySet());
        assertThat(deploymentConf.get("high-availability.type")).isEqualTo("kubernetes");
        assertThat(deploymentConf.get("high-availability.storageDir")).doesNotStartWith("file:");
    }

    @Test
    void processMemoryComesFromTheResourcesWithConfigYamlsSizes() {
        Map<?, ?> jobManager = map(map(spec, "jobManager"), "resource");
        Map<?, ?> taskManager = map(map(spec, "taskManager"), "resource");
        // the operator parses these with MemorySize first (FlinkConfigBuilder), as done here
        assertThat(MemorySize.parse(string(jobManager, "memory")))
                .isEqualTo(MemorySize.parse(clusterConf.get("jobmanager.memory.process.size")));
        assertThat(MemorySize.parse(string(taskManager, "memory")))
                .isEqualTo(MemorySize.parse(clusterConf.get("taskmanager.memory.process.size")));
        // config.yaml sizes the TaskManager at one slot per core
        assertThat(number(taskManager, "cpu").doubleValue())
                .isEqualTo(Double.parseDouble(clusterConf.get("taskmanager.numberOfTaskSlots")));
    }

    @Test
    void upgradesStopTheJobWithASavepoint() {
        Map<?, ?> job = map(spec, "job");
        assertThat(job.get("upgradeMode")).isEqualTo("savepoint");
        assertThat(job.get("state")).isEqualTo("running");
        // the operator refuses upgradeMode savepoint without it
        assertThat(deploymentConf).containsKey("execution.checkpointing.savepoint-dir");
    }

    @Test
    void theJarUriIsWhereTheDockerfileCopiesTheJarMavenBuilds() throws Exception {
        Pattern copyJar = Pattern.compile("COPY\\s+(?:--\\S+\\s+)*(\\S+\\.jar)\\s+(\\S+)");
        List<Matcher> copies = new ArrayList<>();
        for (String line : dockerfile()) {
            Matcher m = copyJar.matcher(line);
            if (m.matches()) copies.add(m);
        }
        assertThat(copies).as("COPY lines of a jar in k8s/Dockerfile").hasSize(1);
        String builtJar =
                "target/" + pomValue(pom, "artifactId") + "-" + pomValue(pom, "version") + ".jar";
        assertThat(copies.get(0).group(1)).isEqualTo(builtJar);
        URI jarUri = new URI(string(map(spec, "job"), "jarURI"));
        // local:// is a file inside the image
        assertThat(jarUri.getScheme()).isEqualTo("local");
        assertThat(jarUri.getPath()).isEqualTo(copies.get(0).group(2));
    }

    @Test
    void theEntryClassIsTheJobsMainClass() throws Exception {
        String entryClass = string(map(spec, "job"), "entryClass");
        assertThat(entryClass)
                .isEqualTo(SessionJob.class.getName())
                .isEqualTo(pomValue(child(pom, "properties"), "main.class"));
        Method main = Class.forName(entryClass).getMethod("main", String[].class);
        assertThat(Modifier.isStatic(main.getModifiers())).isTrue();
    }

    @Test
    void everyJobArgumentIsAnOptionTheJobAccepts() {
        List<String> args = new ArrayList<>();
        for (Object arg : list(map(spec, "job"), "args")) args.add(String.valueOf(arg));
        assertThat(args).contains("--bootstrap-servers", "--input-topics");
        // the job's own parser: a renamed or misspelt option throws InvalidOptionException here
        JobOptions options = JobOptions.parse(args.toArray(String[]::new));
        // --help or --version would make the job print its usage and end
        assertThat(options.helpRequested()).isFalse();
        assertThat(options.kafka().bootstrapServers)
                .isEqualTo(args.get(args.indexOf("--bootstrap-servers") + 1));
    }

    @Test
    void theJobsCheckpointIntervalAndParallelismAreTheDeployments() {
        Map<?, ?> job = map(spec, "job");
        JobOptions options =
                JobOptions.parse(
                        list(job, "args").stream().map(String::valueOf).toArray(String[]::new));
        // no --checkpoint-interval: the deployment's execution.checkpointing.interval holds
        assertThat(options.checkpointInterval()).isNull();
        Configuration deployment = new Configuration();
        deploymentConf.forEach(deployment::setString);
        assertThat(CheckpointInterval.resolve(deployment, options.checkpointInterval()).interval())
                .isEqualTo(
                        TimeUtils.parseDuration(
                                deploymentConf.get("execution.checkpointing.interval")));
        // --parallelism would override job.parallelism, from which the operator sizes the cluster
        assertThat(options.parallelism()).isNull();
        assertThat(String.valueOf(number(job, "parallelism")))
                .isEqualTo(deploymentConf.get("parallelism.default"));
    }

    @Test
    void flinkVersionAndBaseImageArePomsFlink() throws Exception {
        String flinkVersion = pomValue(child(pom, "properties"), "flink.version");
        Matcher majorMinor = Pattern.compile("(\\d+)\\.(\\d+)\\..*").matcher(flinkVersion);
        assertThat(majorMinor.matches()).as("flink.version " + flinkVersion).isTrue();
        assertThat(spec.get("flinkVersion"))
                .isEqualTo("v" + majorMinor.group(1) + "_" + majorMinor.group(2));
        assertThat(dockerfile()).contains("FROM flink:" + flinkVersion + "-java17");
    }

    @Test
    void prometheusScrapesTheReportersPort() {
        String range = deploymentConf.get("metrics.reporter.prom.port");
        assertThat(range).isNotNull();
        // one Flink process per pod: the reporter always gets the range's first port
        String first = range.contains("-") ? range.substring(0, range.indexOf('-')) : range;
        Map<?, ?> podTemplate = map(spec, "podTemplate");
        Map<?, ?> annotations = map(map(podTemplate, "metadata"), "annotations");
        assertThat(annotations.get("prometheus.io/scrape")).isEqualTo("true");
        assertThat(annotations.get("prometheus.io/port")).isEqualTo(first);
        Map<?, ?> container = null;
        for (Object c : list(map(podTemplate, "spec"), "containers")) {
            // the operator merges the template into the Flink container by this name
            if (c instanceof Map<?, ?> m && "flink-main-container".equals(m.get("name"))) {
                container = m;
            }
        }
        assertThat(container).as("podTemplate container flink-main-container").isNotNull();
        List<String> metricsPorts = new ArrayList<>();
        for (Object p : list(container, "ports")) {
            if (p instanceof Map<?, ?> m && "metrics".equals(m.get("name"))) {
                metricsPorts.add(String.valueOf(m.get("containerPort")));
            }
        }
        assertThat(metricsPorts).containsExactly(first);
    }

    /** A folder's config.yaml as Flink loads it: flat keys, values as Flink prints them. */
    private static Map<String, String> flinkConfiguration(Path dir) {
        return new TreeMap<>(GlobalConfiguration.loadConfiguration(dir.toString()).toMap());
    }

    private List<String> dockerfile() throws Exception {
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(root.resolve("k8s/Dockerfile"), UTF_8)) {
            if (!line.isBlank() && !line.trim().startsWith("#")) lines.add(line.trim());
        }
        return lines;
    }

    private static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) return e;
        }
        throw new AssertionError("pom.xml has no <" + name + "> in <" + parent.getTagName() + ">");
    }

    /** The text of a direct child: {@code <project><version>}, not a dependency's. */
    private static String pomValue(Element parent, String name) {
        return child(parent, name).getTextContent().trim();
    }
}
