package com.sessionflow.ingest;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sessionflow.ingest.UploadCheck.Accepted;
import com.sessionflow.ingest.UploadCheck.Outcome;
import com.sessionflow.ingest.UploadCheck.Rejected;
import com.sessionflow.job.InvalidOptionException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The ingest server (docs/ingest.md): Amplitude's upload endpoints, whose answers the SDKs act on,
 * in front of the job's input topic. A server of its own, not part of the job: a slow or stopped
 * job does not stop collection, and it scales as a stateless service behind a load balancer.
 */
public final class IngestServer implements AutoCloseable {

    /** The server's own logging setup, unless one is given with -Dlog4j2.configurationFile. */
    private static final String LOG_CONFIG = "sessionflow-ingest-log4j2.properties";

    private static final Set<String> CORS_HEADERS =
            Set.of("Content-Type", "Content-Encoding", "Accept", "Authorization");

    private final IngestOptions options;
    private final Vertx vertx;
    private final ObjectMapper mapper;
    private final UploadCheck check;
    private final EventWriter writer;
    private final Admin admin;
    private final IngestMetrics metrics = new IngestMetrics();
    private HttpServer http;

    private IngestServer(IngestOptions options, Admin admin) {
        this.options = options;
        this.admin = admin;
        this.mapper =
                JsonMapper.builder()
                        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                        .build();
        this.check =
                new UploadCheck(mapper, options.apiKeys(), options.maxEvents, options.minIdLength);
        this.writer =
                new EventWriter(options.clientProperties(), options.topic, options.sendTimeout);
        this.vertx = Vertx.vertx();
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", LOG_CONFIG);
        }
        IngestOptions options;
        IngestServer server;
        try {
            options = IngestOptions.parse(args);
            if (options.helpRequested()) {
                System.out.println(IngestOptions.usage());
                return;
            }
            server = start(options);
        } catch (InvalidOptionException e) {
            System.err.println(e.getMessage());
            System.err.println("Run with --help to list the options.");
            System.exit(2);
            return;
        }
        System.out.println(
                "sessionflow ingest: "
                        + server.url()
                        + " (POST /2/httpapi, /batch; GET /health, /ready, /metrics) -> topic "
                        + options.topic
                        + " on "
                        + options.bootstrapServers());
        // SIGTERM (docker stop, a pod's end): stop taking requests, then flush what was taken
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "ingest-shutdown"));
    }

    /**
     * Checks that the topic exists, then listens. A missing topic or an unreachable broker stops
     * start-up with an InvalidOptionException naming the option.
     */
    public static IngestServer start(IngestOptions options) throws InterruptedException {
        Admin admin = Admin.create(options.clientProperties());
        try {
            awaitTopic(admin, options);
        } catch (RuntimeException | InterruptedException e) {
            admin.close();
            throw e;
        }
        IngestServer server = new IngestServer(options, admin);
        try {
            server.listen();
        } catch (RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private static void awaitTopic(Admin admin, IngestOptions options) throws InterruptedException {
        try {
            admin.describeTopics(List.of(options.topic)).allTopicNames().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new InvalidOptionException(
                        "Invalid value for option '--topic': "
                                + options.topic
                                + " does not exist on "
                                + options.bootstrapServers()
                                + " (create it first, as the job's input topic)");
            }
            throw unreachable(options, e.getCause());
        } catch (TimeoutException e) {
            throw unreachable(options, e);
        }
    }

    private static InvalidOptionException unreachable(IngestOptions options, Throwable cause) {
        return new InvalidOptionException(
                "Invalid value for option '--bootstrap-servers': no answer from Kafka at "
                        + options.bootstrapServers()
                        + " within 30 s ("
                        + cause
                        + ")");
    }

    private void listen() throws InterruptedException {
        HttpServerOptions http =
                new HttpServerOptions()
                        .setHost(options.host)
                        .setPort(options.port)
                        // Content-Encoding: gzip (the browser SDK's compressed uploads); the body
                        // limits count the decompressed bytes, so a gzip bomb is a 413
                        .setDecompressionSupported(true);
        if (options.tlsCert != null) {
            http.setSsl(true)
                    .setKeyCertOptions(
                            new PemKeyCertOptions()
                                    .setCertPath(options.tlsCert.toString())
                                    .setKeyPath(options.tlsKey.toString()));
        }
        Router router = Router.router(vertx);
        router.route().handler(cors());
        upload(router, "/2/httpapi", options.httpApiMaxBytes);
        upload(router, "/batch", options.batchMaxBytes);
        router.get("/health").handler(ctx -> json(ctx, 200, status("UP")));
        router.get("/ready").handler(this::ready);
        router.get("/metrics")
                .handler(
                        ctx ->
                                ctx.response()
                                        .putHeader("Content-Type", metrics.contentType())
                                        .end(Buffer.buffer(metrics.scrape())));
        // the body handler's refusals, answered as Amplitude does (the SDKs read the JSON's code)
        router.errorHandler(
                413, ctx -> answer(ctx, Reply.of(check.tooLarge(0)), System.nanoTime()));
        router.errorHandler(
                400,
                ctx ->
                        answer(
                                ctx,
                                new Reply(400, check.body(400, "Unreadable request body"), 0),
                                System.nanoTime()));
        router.errorHandler(404, ctx -> json(ctx, 404, check.body(404, "Not found")));
        router.errorHandler(405, ctx -> json(ctx, 405, check.body(405, "Method not allowed")));
        router.errorHandler(500, ctx -> json(ctx, 500, check.body(500, "Internal server error")));
        try {
            this.http =
                    vertx.createHttpServer(http)
                            .requestHandler(router)
                            .listen()
                            .toCompletionStage()
                            .toCompletableFuture()
                            .get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new InvalidOptionException(
                    "Invalid value for option '--port': cannot listen on "
                            + options.host
                            + ":"
                            + options.port
                            + " ("
                            + cause.getMessage()
                            + ")");
        }
    }

    private CorsHandler cors() {
        CorsHandler cors = CorsHandler.create();
        if (!options.corsOrigins.contains("*")) cors.addOrigins(options.corsOrigins);
        return cors.allowedMethods(Set.of(HttpMethod.POST, HttpMethod.GET, HttpMethod.OPTIONS))
                .allowedHeaders(CORS_HEADERS)
                .maxAgeSeconds(86_400);
    }

    private void upload(Router router, String path, long maxBytes) {
        router.post(path)
                .handler(BodyHandler.create(false).setBodyLimit(maxBytes))
                .handler(this::upload);
    }

    /**
     * Checks the request and writes its events off the event loop (parsing a 20 MB batch, or a send
     * waiting for Kafka's metadata, would stall every other connection), then answers.
     */
    private void upload(RoutingContext ctx) {
        long start = System.nanoTime();
        Buffer buffer = ctx.body().buffer();
        byte[] body = buffer == null ? new byte[0] : buffer.getBytes();
        metrics.bodyRead(body.length);
        String remote = remoteAddress(ctx);
        // the answer is written on the request's event loop, not on Kafka's sender thread
        Context requestContext = vertx.getOrCreateContext();
        vertx.executeBlocking(
                        () -> {
                            Outcome outcome = check.check(body, remote, System.currentTimeMillis());
                            if (outcome instanceof Accepted a) {
                                long sendStart = System.nanoTime();
                                CompletableFuture<Void> sent = writer.send(a.records());
                                return sent.handle(
                                        (ok, failure) -> {
                                            metrics.sent(sendStart);
                                            return failure == null
                                                    ? accepted(a)
                                                    : unavailable(a, failure);
                                        });
                            }
                            return CompletableFuture.completedFuture(Reply.of((Rejected) outcome));
                        },
                        false)
                .compose(stage -> Future.fromCompletionStage(stage, requestContext))
                .onComplete(
                        result -> {
                            if (result.succeeded()) answer(ctx, result.result(), start);
                            else ctx.fail(result.cause());
                        });
    }

    /** Amplitude's 200, with every member the Java SDK reads (it drops the batch without one). */
    private Reply accepted(Accepted a) {
        ObjectNode body = mapper.createObjectNode();
        body.put("code", 200);
        body.put("events_ingested", a.records().size());
        body.put("payload_size_bytes", a.payloadBytes());
        body.put("server_upload_time", System.currentTimeMillis());
        return new Reply(200, body, a.records().size());
    }

    /** Kafka did not acknowledge every record: nothing is promised, the SDK sends it all again. */
    private Reply unavailable(Accepted a, Throwable failure) {
        Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
        return new Reply(
                503,
                check.body(503, "Kafka did not acknowledge the events: " + cause.getMessage()),
                a.records().size());
    }

    private void answer(RoutingContext ctx, Reply reply, long start) {
        metrics.answered(ctx.normalizedPath(), reply.status(), reply.events(), start);
        json(ctx, reply.status(), reply.body());
    }

    private void json(RoutingContext ctx, int status, ObjectNode body) {
        if (ctx.response().ended()) return;
        ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(body.toString());
    }

    private ObjectNode status(String status) {
        ObjectNode n = mapper.createObjectNode();
        n.put("status", status);
        return n;
    }

    /**
     * Ready while Kafka answers for the topic: a load balancer sends elsewhere when it does not.
     */
    private void ready(RoutingContext ctx) {
        // answered in the callback
        var unused =
                admin.describeTopics(
                                List.of(options.topic), new DescribeTopicsOptions().timeoutMs(2000))
                        .allTopicNames()
                        .whenComplete(
                                (topics, failure) ->
                                        vertx.runOnContext(
                                                v -> {
                                                    if (failure == null) {
                                                        json(ctx, 200, status("READY"));
                                                    } else {
                                                        ObjectNode n = status("NOT_READY");
                                                        n.put("error", String.valueOf(failure));
                                                        json(ctx, 503, n);
                                                    }
                                                }));
    }

    /** The caller, for {@code "ip": "$remote"}: the proxy's X-Forwarded-For when trusted. */
    private String remoteAddress(RoutingContext ctx) {
        if (options.trustForwardedFor) {
            String forwarded = ctx.request().getHeader("X-Forwarded-For");
            if (forwarded != null && !forwarded.isBlank()) {
                return forwarded.split(",", 2)[0].strip();
            }
        }
        return ctx.request().remoteAddress().hostAddress();
    }

    public int port() {
        return http.actualPort();
    }

    /** Where the SDKs send: the HTTP V2 endpoint's URL. */
    public String url() {
        String host = options.host.equals("0.0.0.0") ? "127.0.0.1" : options.host;
        return (options.tlsCert != null ? "https" : "http")
                + "://"
                + host
                + ":"
                + port()
                + "/2/httpapi";
    }

    /** Stops taking requests, lets Kafka acknowledge what was taken, then stops. */
    @Override
    public void close() {
        try {
            if (http != null)
                http.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing anyway: the producer's flush below is what matters
        } finally {
            writer.close();
            admin.close();
            vertx.close();
        }
    }

    /** An answer: its status, its JSON body and how many events it answers for. */
    private record Reply(int status, ObjectNode body, int events) {
        static Reply of(Rejected r) {
            return new Reply(r.status(), r.body(), r.events());
        }
    }
}
