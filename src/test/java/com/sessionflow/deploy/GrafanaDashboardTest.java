package com.sessionflow.deploy;

import static com.sessionflow.deploy.DeployFiles.list;
import static com.sessionflow.deploy.DeployFiles.map;
import static com.sessionflow.deploy.DeployFiles.repositoryRoot;
import static com.sessionflow.deploy.DeployFiles.string;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sessionflow.postgres.PostgresJob;
import com.sessionflow.postgres.PostgresOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.configuration.YamlParserUtils;
import org.junit.jupiter.api.Test;

/**
 * The Grafana side of {@code docker/}: every dashboard under {@code docker/grafana/dashboards}
 * against the data sources provisioned beside it, the "User Sessions" dashboard's SQL against what
 * {@code schema.sql} creates, and the PostgreSQL path of {@code docker/docker-compose.yml}
 * (PostgreSQL, the PostgresJob submitter, Grafana's mounts and password). Nothing here talks to
 * Grafana, PostgreSQL or Docker; {@link #userSessionsQueries()} gives the dashboard's queries to a
 * test that runs them on a real PostgreSQL.
 */
public class GrafanaDashboardTest {

    private static final String DASHBOARDS = "docker/grafana/dashboards";
    private static final String DATASOURCES = "docker/grafana/provisioning/datasources";
    private static final String DASHBOARD_PROVIDERS = "docker/grafana/provisioning/dashboards";
    private static final String SCHEMA = "src/main/resources/com/sessionflow/postgres/schema.sql";
    private static final String COMPOSE = "docker/docker-compose.yml";
    private static final String FLINK_CONF = "flink-conf/config.yaml";

    private static final String USER_SESSIONS = "user-sessions.json";
    private static final String USER_SESSIONS_UID = "sessionflow-user-sessions";
    private static final String POSTGRES_UID = "sessionflow-postgres";

    /**
     * The Grafana the compose file pins, and the dashboard schema version it writes: 41 from 11.6
     * (migration v41 drops timepicker.time_options) until 42 came in a later 12.x.
     */
    private static final String GRAFANA_IMAGE = "grafana/grafana:12.0.0";

    private static final int GRAFANA_SCHEMA_VERSION = 41;

    /** Where compose mounts the secret file in every container that lists it. */
    private static final String SECRET_IN_CONTAINER = "/run/secrets/postgres-password";

    /** The range {@link #userSessionsQueries()} puts in place of the dashboard's time range. */
    private static final String FROM = "'1970-01-01'";

    private static final String TO = "'2100-01-01'";

    private static final Pattern TIME_FILTER = Pattern.compile("\\$__timeFilter\\(([^)]*)\\)");
    private static final Pattern PLATFORM = Pattern.compile("'?\\$(?:platform\\b|\\{platform})'?");
    private static final Pattern CREATED =
            Pattern.compile(
                    "\\bCREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:TABLE|VIEW|FUNCTION)\\s+"
                            + "(?:IF\\s+NOT\\s+EXISTS\\s+)?([A-Za-z_][A-Za-z0-9_]*)",
                    Pattern.CASE_INSENSITIVE);
    private static final Pattern READ =
            Pattern.compile(
                    "\\b(?:FROM|JOIN)\\s+([A-Za-z_][A-Za-z0-9_.]*)", Pattern.CASE_INSENSITIVE);
    private static final Pattern STRING_LITERAL = Pattern.compile("'(?:[^']|'')*'");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private static final ObjectMapper JSON =
            JsonMapper.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .build();

    /**
     * The SQL of every query of the "User Sessions" dashboard, in panel order, with Grafana's
     * macros and variables replaced as for a run over all time with the platform {@code all}:
     * {@code $__timeFilter(x)} becomes {@code x BETWEEN '1970-01-01' AND '2100-01-01'}, {@code
     * $__timeFrom()} and {@code $__timeTo()} those two timestamps, {@code $platform} (quoted or
     * not, or {@code ${platform}}) {@code 'all'}, {@code $__interval} {@code '1 hour'}. Throws if a
     * macro or variable is left over.
     */
    public static List<String> userSessionsQueries() {
        List<String> queries = new ArrayList<>();
        for (JsonNode target : targets(dashboard(repositoryRoot(), USER_SESSIONS))) {
            queries.add(concrete(target.path("rawSql").asText()));
        }
        return queries;
    }

    @Test
    void everyDashboardIsValidJsonWithItsOwnUid() throws IOException {
        Map<String, String> fileByUid = new TreeMap<>();
        for (Path file : dashboardFiles()) {
            // strict: a duplicate key or text after the object would be a broken edit
            JsonNode dashboard = JSON.readTree(Files.readString(file, UTF_8));
            assertThat(dashboard.isObject()).as(file.toString()).isTrue();
            String uid = dashboard.path("uid").asText("");
            assertThat(uid).as(file + ": uid").isNotBlank();
            assertThat(dashboard.path("title").asText("")).as(file + ": title").isNotBlank();
            String other = fileByUid.put(uid, file.getFileName().toString());
            assertThat(other).as("dashboards with uid " + uid).isNull();
        }
        assertThat(fileByUid).containsKeys("sessionflow", USER_SESSIONS_UID);
    }

    @Test
    void panelIdsAreUniqueWithinEachDashboard() {
        for (Path file : dashboardFiles()) {
            Set<Integer> ids = new TreeSet<>();
            for (JsonNode panel : panels(readDashboard(file))) {
                assertThat(panel.path("id").isInt()).as(file + ": panel id of " + panel).isTrue();
                assertThat(ids.add(panel.path("id").asInt()))
                        .as(file + ": panel id " + panel.path("id") + " twice")
                        .isTrue();
            }
            assertThat(ids).as(file.toString()).isNotEmpty();
        }
    }

    @Test
    void everyPanelQueryAndVariableUsesAProvisionedDataSourceOfItsType() {
        Map<String, String> provisioned = provisionedDataSourceTypes();
        assertThat(provisioned)
                .containsEntry("prometheus", "prometheus")
                .containsEntry(POSTGRES_UID, "grafana-postgresql-datasource");
        for (Path file : dashboardFiles()) {
            JsonNode dashboard = readDashboard(file);
            Map<String, JsonNode> refs = new LinkedHashMap<>();
            for (JsonNode panel : panels(dashboard)) {
                String name = file.getFileName() + " panel " + panel.path("id");
                if (panel.has("targets")) {
                    // without one, a panel falls back to the default data source (Prometheus)
                    assertThat(panel.has("datasource")).as(name + ": datasource").isTrue();
                }
                if (panel.has("datasource")) refs.put(name, panel.get("datasource"));
                int i = 0;
                for (JsonNode target : panel.path("targets")) {
                    if (target.has("datasource")) {
                        refs.put(name + " target " + i, target.get("datasource"));
                    }
                    i++;
                }
            }
            for (JsonNode variable : dashboard.path("templating").path("list")) {
                if (variable.has("datasource")) {
                    refs.put(
                            file.getFileName() + " variable " + variable.path("name"),
                            variable.get("datasource"));
                }
            }
            assertThat(refs).as(file.toString()).isNotEmpty();
            refs.forEach(
                    (where, ref) -> {
                        assertThat(ref.isObject()).as(where + ": {type, uid}").isTrue();
                        String uid = ref.path("uid").asText("");
                        assertThat(provisioned).as(where + ": uid " + uid).containsKey(uid);
                        assertThat(ref.path("type").asText())
                                .as(where + ": type of " + uid)
                                .isEqualTo(provisioned.get(uid));
                    });
        }
    }

    @Test
    void theDashboardProviderLoadsTheWholeMountedDashboardsFolder() throws Exception {
        Set<String> paths = new TreeSet<>();
        for (Path file : yamlFiles(DASHBOARD_PROVIDERS)) {
            for (Object provider : list(YamlParserUtils.loadYamlFile(file.toFile()), "providers")) {
                Map<?, ?> options = map(provider, "options");
                assertThat(options.get("foldersFromFilesStructure")).isNotEqualTo(true);
                paths.add(string(options, "path"));
            }
        }
        // one provider, over the folder docker-compose.yml mounts docker/grafana/dashboards at
        assertThat(paths).containsExactly(mountTarget(service("grafana"), "./grafana/dashboards"));
    }

    @Test
    void everyUserSessionsQueryIsCodeModeRawSqlWithATimeFilter() {
        List<JsonNode> targets = targets(dashboard(repositoryRoot(), USER_SESSIONS));
        assertThat(targets).hasSizeGreaterThanOrEqualTo(7);
        for (JsonNode target : targets) {
            String sql = target.path("rawSql").asText("");
            assertThat(sql).as("rawSql of " + target).isNotBlank().contains("$__timeFilter(");
            assertThat(target.path("rawQuery").asBoolean(false)).as("rawQuery of " + sql).isTrue();
            assertThat(target.path("editorMode").asText())
                    .as("editorMode of " + sql)
                    .isEqualTo("code");
            String format = target.path("format").asText();
            assertThat(format).as("format of " + sql).isIn("time_series", "table");
            // Grafana's SQL data sources take a time series' time from the column named time
            if (format.equals("time_series")) assertThat(sql).contains("AS \"time\"");
        }
    }

    @Test
    void everyUserSessionsQueryFiltersByThePlatformVariable() {
        JsonNode dashboard = dashboard(repositoryRoot(), USER_SESSIONS);
        List<JsonNode> platform = new ArrayList<>();
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("name").asText().equals("platform")) platform.add(variable);
        }
        assertThat(platform).hasSize(1);
        JsonNode variable = platform.get(0);
        assertThat(variable.path("type").asText()).isEqualTo("query");
        assertThat(variable.path("datasource").path("uid").asText()).isEqualTo(POSTGRES_UID);
        // from the small metrics table, which holds every platform and 'all', not a scan of
        // sessions
        assertThat(variable.path("query").asText())
                .isEqualTo("SELECT DISTINCT platform FROM session_metrics ORDER BY 1");
        assertThat(variable.path("current").path("value").asText()).isEqualTo("all");
        // one value, so '$platform' in the SQL is one quoted string ('all' is every platform)
        assertThat(variable.path("multi").asBoolean(false)).isFalse();
        assertThat(variable.path("includeAll").asBoolean(false)).isFalse();
        for (JsonNode target : targets(dashboard)) {
            assertThat(target.path("rawSql").asText()).containsAnyOf("$platform", "${platform}");
        }
    }

    @Test
    void userSessionsQueriesReadOnlyTablesViewsAndFunctionsThatSchemaSqlCreates()
            throws IOException {
        Set<String> created = new TreeSet<>();
        Matcher m = CREATED.matcher(Files.readString(repositoryRoot().resolve(SCHEMA), UTF_8));
        while (m.find()) created.add(m.group(1).toLowerCase(Locale.ROOT));
        // guards against a pattern that finds nothing, which would make the check below vacuous
        assertThat(created)
                .contains(
                        "sessions",
                        "session_metrics",
                        "session_length_bins",
                        "session_chart_rows",
                        "user_sessions",
                        "user_sessions_by_hour",
                        "user_sessions_by_day",
                        "session_length_distribution",
                        "session_length_distribution_by_day");
        JsonNode dashboard = dashboard(repositoryRoot(), USER_SESSIONS);
        List<String> sqls = new ArrayList<>();
        for (JsonNode target : targets(dashboard)) sqls.add(target.path("rawSql").asText());
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                sqls.add(variable.path("query").asText());
            }
        }
        for (String sql : sqls) {
            Set<String> read = readRelations(sql);
            assertThat(read).as("relations read by " + sql).isNotEmpty();
            assertThat(created).as("what schema.sql creates, for " + sql).containsAll(read);
        }
    }

    @Test
    void userSessionsQueriesHaveEveryGrafanaMacroReplaced() {
        List<String> queries = userSessionsQueries();
        assertThat(queries).hasSize(targets(dashboard(repositoryRoot(), USER_SESSIONS)).size());
        for (String sql : queries) {
            assertThat(sql).doesNotContain("$").contains("BETWEEN " + FROM + " AND " + TO);
            assertThat(sql).contains("'all'").doesNotContain("''all''");
        }
    }

    @Test
    void theUserSessionsDashboardHasItsUidAndThePinnedGrafanasSchemaVersion() {
        JsonNode dashboard = dashboard(repositoryRoot(), USER_SESSIONS);
        assertThat(dashboard.path("uid").asText()).isEqualTo(USER_SESSIONS_UID);
        assertThat(dashboard.path("schemaVersion").asInt()).isEqualTo(GRAFANA_SCHEMA_VERSION);
        // the version the schema version is for
        assertThat(string(service("grafana"), "image")).isEqualTo(GRAFANA_IMAGE);
    }

    @Test
    void composeFileDefinesThePostgresPath() {
        Map<?, ?> services = map(compose(), "services");
        assertThat(strings(services.keySet()))
                .contains("postgres", "submit-postgres-job", "grafana");
        Map<String, Object> postgres = service("postgres");
        assertThat(string(postgres, "image")).isEqualTo("postgres:17");
        assertThat(strings(list(postgres, "ports"))).contains("127.0.0.1:5432:5432");
        Map<?, ?> env = map(postgres, "environment");
        assertThat(env.get("POSTGRES_DB")).isEqualTo("analytics");
        assertThat(env.get("POSTGRES_USER")).isEqualTo("sessionflow");
        assertThat(env.get("POSTGRES_PASSWORD_FILE")).isEqualTo(SECRET_IN_CONTAINER);
        assertThat(strings(list(postgres, "secrets"))).contains("postgres-password");
        assertThat(String.valueOf(list(map(postgres, "healthcheck"), "test")))
                .contains("pg_isready");
        assertThat(mountTarget(postgres, "postgres-data")).isEqualTo("/var/lib/postgresql/data");
        assertThat(strings(map(compose(), "volumes").keySet())).contains("postgres-data");

        Map<String, Object> grafana = service("grafana");
        assertThat(string(grafana, "image")).isEqualTo(GRAFANA_IMAGE);
        assertThat(mountTarget(grafana, "./grafana/provisioning"))
                .isEqualTo("/etc/grafana/provisioning");
        assertThat(mountTarget(grafana, "./grafana/dashboards"))
                .isEqualTo("/var/lib/grafana/dashboards");
        assertThat(dependencies(grafana)).contains("postgres");
    }

    @Test
    void thePostgresJobSubmitterRunsPostgresJobWithOptionsItAccepts() throws IOException {
        Map<String, Object> submitter = service("submit-postgres-job");
        // the session job's submitter, script and jar (through the x-flink anchor)
        assertThat(String.valueOf(submitter.get("command"))).contains("submit-job.sh");
        assertThat(mountTarget(submitter, "./submit-job.sh"))
                .isEqualTo(mountTarget(service("submit-job"), "./submit-job.sh"));
        assertThat(dependencies(submitter)).contains("postgres", "submit-job");
        assertThat(strings(list(submitter, "secrets"))).contains("postgres-password");
        Map<?, ?> env = map(submitter, "environment");
        assertThat(env.get("SESSIONFLOW_MAIN_CLASS")).isEqualTo(PostgresJob.class.getName());
        assertThat(env.get("SESSIONFLOW_JOB_NAME")).isEqualTo("sessionflow-postgres:");
        assertThat(env.get("FLINK_PROPERTIES"))
                .isEqualTo(map(service("submit-job"), "environment").get("FLINK_PROPERTIES"));
        assertThat(Files.readString(repositoryRoot().resolve("docker/submit-job.sh"), UTF_8))
                .contains("SESSIONFLOW_MAIN_CLASS", "SESSIONFLOW_JOB_NAME");

        // what submit-job.sh runs, with compose's secret file where the container has it
        List<String> args = new ArrayList<>(postgresJobArgs());
        assertThat(args).contains("--jdbc-password-file", SECRET_IN_CONTAINER);
        args.replaceAll(a -> a.equals(SECRET_IN_CONTAINER) ? secretFile().toString() : a);
        PostgresOptions options = PostgresOptions.parse(args.toArray(String[]::new));
        assertThat(options.helpRequested()).isFalse();
        assertThat(options.bootstrapServers()).isEqualTo("kafka:9092");
        assertThat(args).contains("jdbc:postgresql://postgres:5432/analytics", "sessionflow");
    }

    @Test
    void theTaskManagerHasSlotsForBothJobs() throws Exception {
        Map<String, String> properties = new HashMap<>();
        String lines = string(map(service("taskmanager"), "environment"), "FLINK_PROPERTIES");
        for (String line : lines.lines().toList()) {
            int colon = line.indexOf(':');
            if (colon > 0)
                properties.put(line.substring(0, colon).trim(), line.substring(colon + 1));
        }
        Map<?, ?> conf =
                YamlParserUtils.loadYamlFile(repositoryRoot().resolve(FLINK_CONF).toFile());
        String slots =
                properties.getOrDefault(
                        "taskmanager.numberOfTaskSlots",
                        String.valueOf(map(conf, "taskmanager").get("numberOfTaskSlots")));
        // the session job runs with the cluster's default parallelism (no --parallelism)
        int sessionJob = Integer.parseInt(String.valueOf(map(conf, "parallelism").get("default")));
        List<String> args = postgresJobArgs();
        assertThat(args).contains("--parallelism");
        int postgresJob = Integer.parseInt(args.get(args.indexOf("--parallelism") + 1));
        assertThat(Integer.parseInt(slots.trim())).isGreaterThanOrEqualTo(sessionJob + postgresJob);
    }

    @Test
    void postgresGrafanaAndTheJobReadThePasswordFromOneSecretFile() throws Exception {
        Map<?, ?> secret = map(map(compose(), "secrets"), "postgres-password");
        assertThat(repositoryRoot().resolve("docker").resolve(string(secret, "file")).normalize())
                .isEqualTo(secretFile());
        // PostgreSQL, Grafana's start script and the job each take the whole file as the
        // password (less the line break): a comment in it would become part of the password
        String text = Files.readString(secretFile(), UTF_8).strip();
        assertThat(text).isNotEmpty();
        assertThat(WHITESPACE.matcher(text).find()).as("whitespace in the password file").isFalse();

        Map<String, Object> grafana = service("grafana");
        assertThat(strings(list(grafana, "secrets"))).contains("postgres-password");
        String variable = "GF_SESSIONFLOW_POSTGRES_PASSWORD";
        assertThat(map(grafana, "environment").get(variable + "__FILE"))
                .isEqualTo(SECRET_IN_CONTAINER);
        Map<?, ?> dataSource = null;
        for (Path file : yamlFiles(DATASOURCES)) {
            for (Object ds : list(YamlParserUtils.loadYamlFile(file.toFile()), "datasources")) {
                Map<?, ?> candidate = map(List.of(ds), 0);
                if (POSTGRES_UID.equals(candidate.get("uid"))) dataSource = candidate;
            }
        }
        assertThat(dataSource).as("data source " + POSTGRES_UID).isNotNull();
        assertThat(map(dataSource, "secureJsonData").get("password")).isEqualTo("$" + variable);
        assertThat(dataSource.get("url")).isEqualTo("postgres:5432");
        assertThat(dataSource.get("user")).isEqualTo("sessionflow");
        assertThat(map(dataSource, "jsonData").get("database")).isEqualTo("analytics");
    }

    // --- the user-sessions queries

    private static String concrete(String sql) {
        String s =
                TIME_FILTER
                        .matcher(sql)
                        .replaceAll(
                                m ->
                                        Matcher.quoteReplacement(
                                                m.group(1).trim()
                                                        + " BETWEEN "
                                                        + FROM
                                                        + " AND "
                                                        + TO));
        s = s.replace("$__timeFrom()", FROM).replace("$__timeTo()", TO);
        s = s.replace("$__interval", "'1 hour'");
        s = PLATFORM.matcher(s).replaceAll("'all'");
        if (s.contains("$")) {
            throw new IllegalStateException("a Grafana macro or variable is left in: " + s);
        }
        return s;
    }

    /** The tables, views and functions a query reads: the names after FROM and JOIN. */
    private static Set<String> readRelations(String sql) {
        Set<String> names = new LinkedHashSet<>();
        // a literal could hold "from x"
        Matcher m = READ.matcher(STRING_LITERAL.matcher(sql).replaceAll("''"));
        while (m.find()) names.add(m.group(1).toLowerCase(Locale.ROOT));
        return names;
    }

    // --- dashboards and provisioning

    private static List<Path> dashboardFiles() {
        List<Path> files = files(DASHBOARDS, ".json");
        assertThat(files).as(DASHBOARDS).isNotEmpty();
        return files;
    }

    private static List<Path> yamlFiles(String dir) {
        List<Path> files = new ArrayList<>(files(dir, ".yml"));
        files.addAll(files(dir, ".yaml"));
        assertThat(files).as(dir).isNotEmpty();
        return files;
    }

    private static List<Path> files(String dir, String suffix) {
        try (Stream<Path> s = Files.list(repositoryRoot().resolve(dir))) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode dashboard(Path root, String file) {
        return readDashboard(root.resolve(DASHBOARDS).resolve(file));
    }

    private static JsonNode readDashboard(Path file) {
        try {
            return JSON.readTree(Files.readString(file, UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every panel, those inside rows included. */
    private static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> all = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            all.add(panel);
            for (JsonNode inner : panel.path("panels")) all.add(inner);
        }
        return all;
    }

    private static List<JsonNode> targets(JsonNode dashboard) {
        List<JsonNode> targets = new ArrayList<>();
        for (JsonNode panel : panels(dashboard)) {
            for (JsonNode target : panel.path("targets")) targets.add(target);
        }
        return targets;
    }

    /** uid to type of every data source the provisioning files declare. */
    private static Map<String, String> provisionedDataSourceTypes() {
        Map<String, String> types = new TreeMap<>();
        for (Path file : yamlFiles(DATASOURCES)) {
            Map<?, ?> yaml;
            try {
                yaml = YamlParserUtils.loadYamlFile(file.toFile());
            } catch (Exception e) {
                throw new IllegalStateException("cannot parse " + file, e);
            }
            for (Object ds : list(yaml, "datasources")) {
                Map<?, ?> dataSource = map(List.of(ds), 0);
                String uid = string(dataSource, "uid");
                assertThat(types.put(uid, string(dataSource, "type"))).as("uid " + uid).isNull();
            }
        }
        return types;
    }

    // --- docker-compose.yml

    private static Map<?, ?> compose() {
        try {
            return YamlParserUtils.loadYamlFile(repositoryRoot().resolve(COMPOSE).toFile());
        } catch (Exception e) {
            throw new IllegalStateException("cannot parse " + COMPOSE, e);
        }
    }

    /** A service with YAML merge keys ({@code <<: *flink}) applied, as compose does. */
    private static Map<String, Object> service(String name) {
        return merged(map(map(compose(), "services"), name));
    }

    private static Map<String, Object> merged(Map<?, ?> map) {
        Map<String, Object> out = new LinkedHashMap<>();
        Object base = map.get("<<");
        List<Object> bases = new ArrayList<>();
        if (base instanceof List<?> several) bases.addAll(several);
        else if (base != null) bases.add(base);
        // of several merged maps, the first wins; keys of the map itself win over all of them
        for (int i = bases.size() - 1; i >= 0; i--) {
            merged(map(bases, i)).forEach(out::put);
        }
        map.forEach(
                (k, v) -> {
                    if (!"<<".equals(k)) out.put(String.valueOf(k), v);
                });
        return out;
    }

    /** Where a service mounts {@code source} (a host path or a named volume). */
    private static String mountTarget(Map<?, ?> service, String source) {
        for (Object volume : list(service, "volumes")) {
            String[] parts = String.valueOf(volume).split(":", -1);
            if (parts.length >= 2 && parts[0].equals(source)) return parts[1];
        }
        throw new AssertionError(source + " is not mounted in " + service.get("volumes"));
    }

    private static Set<String> dependencies(Map<?, ?> service) {
        Object dependsOn = service.get("depends_on");
        Set<String> names = new TreeSet<>();
        if (dependsOn instanceof Map<?, ?> m) m.keySet().forEach(k -> names.add(String.valueOf(k)));
        if (dependsOn instanceof List<?> l) l.forEach(k -> names.add(String.valueOf(k)));
        return names;
    }

    /** The PostgreSQL job's arguments as submit-job.sh passes them, with nothing from the host. */
    private static List<String> postgresJobArgs() {
        String args =
                string(map(service("submit-postgres-job"), "environment"), "SESSIONFLOW_ARGS");
        // compose's interpolation, with the variable unset
        args = args.replace("${SESSIONFLOW_POSTGRES_ARGS:-}", "");
        List<String> all = new ArrayList<>(List.of("--bootstrap-servers", "kafka:9092"));
        all.addAll(List.of(WHITESPACE.split(args.strip())));
        return all;
    }

    private static Path secretFile() {
        return repositoryRoot().resolve("docker/secrets/postgres-password");
    }

    // --- YAML access

    private static List<String> strings(Collection<?> values) {
        List<String> out = new ArrayList<>();
        for (Object value : values) out.add(String.valueOf(value));
        return out;
    }
}
