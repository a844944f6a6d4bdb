package com.sessionflow.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The demo's User Sessions chart: a page (HTML and a script that draws SVG, both in the jar,
 * nothing fetched from elsewhere) and {@code /api/metrics}, the latest record of every bucket and
 * platform of the metrics topic, which the page polls. The JDK's own HTTP server: no dependency for
 * a demo.
 */
public final class ChartServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Map<String, String> FILES =
            Map.of(
                    "/", "chart/index.html",
                    "/chart.js", "chart/chart.js",
                    "/chart.css", "chart/chart.css");

    private final HttpServer server;

    private ChartServer(HttpServer server) {
        this.server = server;
    }

    /**
     * Serves on {@code host:port} (0: any free port) the records {@code metrics} gives at each
     * request.
     */
    public static ChartServer start(String host, int port, Supplier<Collection<JsonNode>> metrics)
            throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
        server.createContext(
                "/api/metrics",
                exchange -> {
                    ArrayNode records = JSON.createArrayNode();
                    metrics.get().forEach(records::add);
                    send(exchange, 200, "application/json", JSON.writeValueAsBytes(records));
                });
        server.createContext(
                "/",
                exchange -> {
                    String file = FILES.get(exchange.getRequestURI().getPath());
                    if (file == null) {
                        send(
                                exchange,
                                404,
                                "text/plain",
                                "not found".getBytes(StandardCharsets.UTF_8));
                    } else {
                        send(exchange, 200, contentType(file), resource(file));
                    }
                });
        server.start();
        return new ChartServer(server);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static String contentType(String file) {
        if (file.endsWith(".js")) return "text/javascript; charset=utf-8";
        if (file.endsWith(".css")) return "text/css; charset=utf-8";
        return "text/html; charset=utf-8";
    }

    private static byte[] resource(String name) {
        try (InputStream in = ChartServer.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException(name + " is missing from the build");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        // the page polls: always the latest
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
