package io.github.durablefunctions.host.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.durablefunctions.host.HostStartupException;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;

import java.net.BindException;
import java.util.List;
import java.util.function.Consumer;

/**
 * The host's HTTP server (Javalin on Jetty): the durable task API's routes first, then every other request of the
 * Functions methods goes to the HTTP function handler.
 *
 * <p>Request bodies over the host's limit ({@code --max-request-body-size}, default 100 MiB as the Functions host)
 * get <b>413</b> with a JSON {@code {"error": "..."}} body naming the limit: at once when {@code Content-Length} says
 * so, else when reading passes the limit ({@link RequestBodies}).
 */
public final class HostHttpServer implements AutoCloseable {
    private static final List<HandlerType> METHODS = List.of(HandlerType.GET, HandlerType.HEAD, HandlerType.POST,
            HandlerType.PUT, HandlerType.DELETE, HandlerType.OPTIONS, HandlerType.PATCH, HandlerType.TRACE);

    private static final ObjectMapper ERRORS = new ObjectMapper();

    private final Javalin app;

    private HostHttpServer(Javalin app) {
        this.app = app;
    }

    /**
     * Starts the server.
     *
     * @param bindAddress the address to listen on (e.g. {@code 127.0.0.1}; {@code 0.0.0.0} for all)
     * @param port        the port; 0 for any free port ({@link #port()} tells which)
     * @param maxBodySize the request body limit, in bytes
     * @param routes      registers fixed routes (the durable task API) before the catch-all
     * @param functions   handles every other request (HTTP-triggered functions, and 404)
     * @throws HostStartupException if the port is in use or the address cannot be bound
     */
    public static HostHttpServer start(String bindAddress, int port, long maxBodySize, Consumer<Javalin> routes,
                                       HttpFunctionHandler functions) throws HostStartupException {
        Javalin app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            config.http.maxRequestSize = maxBodySize;
            config.router.ignoreTrailingSlashes = true;
            config.router.caseInsensitiveRoutes = true;
        });
        app.before(ctx -> RequestBodies.checkDeclaredLength(ctx, maxBodySize));
        app.exception(RequestBodies.TooLargeException.class,
                (e, ctx) -> JsonResponses.error(ctx, 413, e.getMessage(), ERRORS));
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
