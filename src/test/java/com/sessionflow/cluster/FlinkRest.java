package com.sessionflow.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The few calls of Flink's REST API the local cluster needs (the same API as the web UI and {@code
 * flink run}): upload and run a jar, job state, stop with a savepoint, cancel, checkpoints,
 * TaskManagers and where each vertex runs.
 */
public final class FlinkRest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final String base;
    private final HttpClient http;

    public FlinkRest(String baseUrl) {
        this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.http =
                HttpClient.newBuilder()
                        .connectTimeout(Duration.ofSeconds(5))
                        .version(HttpClient.Version.HTTP_1_1)
                        .build();
    }

    public String baseUrl() {
        return base;
    }

    /** A job run request: {@code POST /jars/<id>/run}. */
    public record RunRequest(
            String entryClass,
            List<String> programArgs,
            Integer parallelism,
            String savepointPath) {

        public RunRequest withSavepoint(String path) {
            return new RunRequest(entryClass, programArgs, parallelism, path);
        }
    }

    public JsonNode get(String path) {
        return send(request(path).GET().build());
    }

    public JsonNode post(String path, JsonNode body) {
        return send(
                request(path)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                        .build());
    }

    public JsonNode patch(String path) {
        return send(request(path).method("PATCH", HttpRequest.BodyPublishers.noBody()).build());
    }

    /** {@code GET /overview}: the cluster's summary (TaskManagers, slots, jobs). */
    public JsonNode overview() {
        return get("/overview");
    }

    /** {@code GET /jobs/overview}: every job with its id, name, state and task counts. */
    public JsonNode jobsOverview() {
        return get("/jobs/overview");
    }

    /** {@code POST /jars/upload} (multipart, as the web UI does); returns the jar's id. */
    public String uploadJar(Path jar) {
        String boundary = "----sessionflow" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try {
            body.write(
                    ("--"
                                    + boundary
                                    + "\r\nContent-Disposition: form-data; name=\"jarfile\";"
                                    + " filename=\""
                                    + jar.getFileName()
                                    + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                            .getBytes(StandardCharsets.UTF_8));
            body.write(Files.readAllBytes(jar));
            body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ClusterException("cannot read the job jar " + jar + ": " + e, e);
        }
        JsonNode r =
                send(
                        request("/jars/upload")
                                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                                .build());
        String file = r.path("filename").asText();
        if (!"success".equals(r.path("status").asText()) || file.isEmpty())
            throw new ClusterException("jar upload of " + jar + " failed: " + r);
        // the id is the file name of the stored jar
        return Path.of(file).getFileName().toString();
    }

    /** {@code POST /jars/<id>/run}; returns the job id. */
    public String runJar(String jarId, RunRequest run) {
        ObjectNode body = JSON.createObjectNode();
        body.put("entryClass", run.entryClass());
        body.putArray("programArgsList")
                .addAll(run.programArgs().stream().map(body::textNode).toList());
        if (run.parallelism() != null) body.put("parallelism", run.parallelism());
        if (run.savepointPath() != null) {
            body.put("savepointPath", run.savepointPath());
            body.put("allowNonRestoredState", false);
        }
        JsonNode r = post("/jars/" + jarId + "/run", body);
        String jobId = r.path("jobid").asText();
        if (jobId.isEmpty()) throw new ClusterException("jar run returned no job id: " + r);
        return jobId;
    }

    /** {@code GET /jobs/<id>}: state, vertices (id, name, parallelism, status). */
    public JsonNode job(String jobId) {
        return get("/jobs/" + jobId);
    }

    public String jobState(String jobId) {
        return job(jobId).path("state").asText();
    }

    /** The job's vertices whose name contains {@code nameContains}: (id, name, parallelism). */
    public List<JsonNode> vertices(String jobId, String nameContains) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode v : job(jobId).path("vertices")) {
            if (v.path("name").asText().contains(nameContains)) out.add(v);
        }
        return out;
    }

    /**
     * The TaskManagers (their resource ids) that run a subtask of the vertices whose name contains
     * {@code vertexNameContains} now ({@code /jobs/<id>/vertices/<vid>/taskmanagers}).
     */
    public Set<String> taskManagersRunning(String jobId, String vertexNameContains) {
        Set<String> out = new LinkedHashSet<>();
        for (JsonNode v : vertices(jobId, vertexNameContains)) {
            JsonNode r =
                    get("/jobs/" + jobId + "/vertices/" + v.path("id").asText() + "/taskmanagers");
            for (JsonNode tm : r.path("taskmanagers")) {
                if ("RUNNING".equals(tm.path("status").asText()))
                    out.add(tm.path("taskmanager-id").asText());
            }
        }
        return out;
    }

    /** {@code GET /taskmanagers}: the resource ids of the registered TaskManagers. */
    public List<String> taskManagerIds() {
        List<String> ids = new ArrayList<>();
        for (JsonNode tm : get("/taskmanagers").path("taskmanagers"))
            ids.add(tm.path("id").asText());
        return ids;
    }

    /**
     * {@code POST /jobs/<id>/stop} (stop with a savepoint, no drain), polled to the end.
     *
     * @return the savepoint's path
     */
    public String stopWithSavepoint(String jobId, String targetDirectory, Duration timeout) {
        ObjectNode body = JSON.createObjectNode();
        body.put("drain", false);
        body.put("targetDirectory", targetDirectory);
        String trigger = post("/jobs/" + jobId + "/stop", body).path("request-id").asText();
        if (trigger.isEmpty())
            throw new ClusterException("stop of job " + jobId + " returned no trigger id");
        return awaitSavepoint(jobId, trigger, timeout);
    }

    private String awaitSavepoint(String jobId, String trigger, Duration timeout) {
        return Deadline.awaitValue(
                "the savepoint of job " + jobId,
                timeout,
                Duration.ofMillis(250),
                () -> {
                    JsonNode r = get("/jobs/" + jobId + "/savepoints/" + trigger);
                    if (!"COMPLETED".equals(r.path("status").path("id").asText())) return null;
                    JsonNode op = r.path("operation");
                    if (op.has("failure-cause"))
                        throw new ClusterException(
                                "the savepoint of job "
                                        + jobId
                                        + " failed: "
                                        + op.get("failure-cause"));
                    return op.path("location").asText();
                },
                null);
    }

    /** {@code PATCH /jobs/<id>?mode=cancel}. */
    public void cancel(String jobId) {
        patch("/jobs/" + jobId + "?mode=cancel");
    }

    /** The external path of the job's latest completed checkpoint, if there is one. */
    public Optional<String> latestCompletedCheckpoint(String jobId) {
        JsonNode c = get("/jobs/" + jobId + "/checkpoints").path("latest").path("completed");
        if (c.isMissingNode() || c.isNull()) return Optional.empty();
        String path = c.path("external_path").asText();
        return path.isEmpty() ? Optional.empty() : Optional.of(path);
    }

    /** How many checkpoints of the job have completed so far. */
    public long completedCheckpoints(String jobId) {
        return get("/jobs/" + jobId + "/checkpoints").path("counts").path("completed").asLong();
    }

    /** The id of the job's latest completed checkpoint, or -1 if none has completed. */
    public long latestCompletedCheckpointId(String jobId) {
        JsonNode c = get("/jobs/" + jobId + "/checkpoints").path("latest").path("completed");
        return c.isMissingNode() || c.isNull() ? -1 : c.path("id").asLong(-1);
    }

    /**
     * The job's latest completed checkpoint as {@code /jobs/<id>/checkpoints} describes it (id,
     * state_size, checkpointed_size, external_path, ...), if there is one.
     */
    public Optional<JsonNode> latestCompletedCheckpointStats(String jobId) {
        JsonNode c = get("/jobs/" + jobId + "/checkpoints").path("latest").path("completed");
        return c.isMissingNode() || c.isNull() ? Optional.empty() : Optional.of(c);
    }

    /**
     * The checkpoint or savepoint the job's current run was restored from (id, external_path,
     * is_savepoint, restore_timestamp), if it was restored.
     */
    public Optional<JsonNode> restoredCheckpoint(String jobId) {
        JsonNode c = get("/jobs/" + jobId + "/checkpoints").path("latest").path("restored");
        return c.isMissingNode() || c.isNull() ? Optional.empty() : Optional.of(c);
    }

    /**
     * The job's {@code numRestarts} metric: restarts since this JobManager took the job on (a new
     * JobManager counts from 0 again).
     */
    public long numRestarts(String jobId) {
        for (JsonNode m : get("/jobs/" + jobId + "/metrics?get=numRestarts"))
            if ("numRestarts".equals(m.path("id").asText())) return m.path("value").asLong(-1);
        return -1;
    }

    /** The ids of the jobs the JobManager knows, with their state. */
    public Map<String, String> jobs() {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode j : get("/jobs").path("jobs"))
            out.put(j.path("id").asText(), j.path("status").asText());
        return out;
    }

    /** {@code GET /jobmanager/config}: the JobManager's effective configuration. */
    public Map<String, String> jobManagerConfig() {
        Map<String, String> out = new TreeMap<>();
        for (JsonNode e : get("/jobmanager/config"))
            out.put(e.path("key").asText(), e.path("value").asText());
        return out;
    }

    /** The job's exceptions as the web UI shows them (root cause first), for failure messages. */
    public String exceptions(String jobId) {
        try {
            JsonNode r = get("/jobs/" + jobId + "/exceptions?maxExceptions=5");
            StringBuilder sb = new StringBuilder();
            for (JsonNode e : r.path("exceptionHistory").path("entries")) {
                String trace = e.path("stacktrace").asText();
                sb.append("  ")
                        .append(e.path("exceptionName").asText())
                        .append(" at ")
                        .append(e.path("taskName").asText())
                        .append(": ")
                        .append(trace, 0, Math.min(trace.length(), 1500))
                        .append('\n');
            }
            return sb.toString();
        } catch (RuntimeException e) {
            return "  (no exceptions: " + e.getMessage() + ")\n";
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(REQUEST_TIMEOUT);
    }

    private JsonNode send(HttpRequest request) {
        HttpResponse<String> r;
        try {
            r = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new RestException(request.method() + " " + request.uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted: " + request.uri(), e);
        }
        if (r.statusCode() / 100 != 2) {
            throw new RestException(
                    request.method()
                            + " "
                            + request.uri()
                            + " answered "
                            + r.statusCode()
                            + ": "
                            + abbreviate(r.body()),
                    null);
        }
        try {
            return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
        } catch (IOException e) {
            throw new RestException(
                    "not JSON from " + request.uri() + ": " + abbreviate(r.body()), e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 3000 ? s.substring(0, 3000) + "..." : s;
    }

    /**
     * A REST call that failed: not answered, or answered with an error. Not a {@link
     * ClusterException}, so that waits retry it.
     */
    public static final class RestException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RestException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
