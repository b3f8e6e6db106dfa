package io.github.durablefunctions.host.http;

import io.github.durablefunctions.host.HostStartupException;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;

import java.net.BindException;
import java.util.List;
import java.util.function.Consumer;

/**
 * The host's HTTP server (Javalin on Jetty): the durable task API's routes first, then every other request of the
 * Functions methods goes to the HTTP function handler. Requests up to 100 MB (the Functions host's limit).
 */
public final class HostHttpServer implements AutoCloseable {
    /** The request size limit, in bytes. */
    public static final long MAX_REQUEST_BYTES = 100L * 1024 * 1024;

    private static final List<HandlerType> METHODS = List.of(HandlerType.GET, HandlerType.HEAD, HandlerType.POST,
            HandlerType.PUT, HandlerType.DELETE, HandlerType.OPTIONS, HandlerType.PATCH, HandlerType.TRACE);

    private final Javalin app;

    private HostHttpServer(Javalin app) {
        this.app = app;
    }

    /**
     * Starts the server.
     *
     * @param bindAddress the address to listen on (e.g. {@code 127.0.0.1}; {@code 0.0.0.0} for all)
     * @param port        the port; 0 for any free port ({@link #port()} tells which)
     * @param routes      registers fixed routes (the durable task API) before the catch-all
     * @param functions   handles every other request (HTTP-triggered functions, and 404)
     * @throws HostStartupException if the port is in use or the address cannot be bound
     */
    public static HostHttpServer start(String bindAddress, int port, Consumer<Javalin> routes,
                                       HttpFunctionHandler functions) throws HostStartupException {
        Javalin app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            config.http.maxRequestSize = MAX_REQUEST_BYTES;
            config.router.ignoreTrailingSlashes = true;
            config.router.caseInsensitiveRoutes = true;
        });
        routes.accept(app);
        for (HandlerType method : METHODS) {
            app.addHttpHandler(method, "/*", functions);
        }
        try {
            app.start(bindAddress, port);
        } catch (RuntimeException e) {
            app.stop();
            if (causedBy(e, BindException.class)) {
                throw new HostStartupException("Cannot listen on " + bindAddress + ":" + port
                        + ": the port is in use or the address is not local. Pass another --port or --bind", e);
            }
            throw new HostStartupException("Cannot start the HTTP server on " + bindAddress + ":" + port + ": " + e, e);
        }
        return new HostHttpServer(app);
    }

    /** The port the server listens on. */
    public int port() {
        return app.port();
    }

    /** Stops the server; requests in flight are ended. */
    @Override
    public void close() {
        app.stop();
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
