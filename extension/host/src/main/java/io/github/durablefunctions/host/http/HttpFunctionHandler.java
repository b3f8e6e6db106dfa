package io.github.durablefunctions.host.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpResponseMessage;
import io.github.durablefunctions.DataConverter;
import io.github.durablefunctions.host.invoke.BindingException;
import io.github.durablefunctions.host.invoke.FunctionInvoker;
import io.github.durablefunctions.host.invoke.HttpRequestData;
import io.github.durablefunctions.host.invoke.HttpResponseMessageImpl;
import io.github.durablefunctions.host.invoke.Invocation;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Serves HTTP-triggered functions at {@code /<routePrefix>/<route>}: strips the route prefix (ignoring case), routes
 * with {@link HttpTriggerRouter}, invokes the function and writes what it returned.
 *
 * <p>Responses:
 * <ul>
 *   <li>an {@link HttpResponseMessage}: its status, its headers (all of them when built by the host's
 *       {@code createResponseBuilder}, else only {@code Content-Type}), its body: a {@code String} as is
 *       ({@code text/plain} unless a content type was set), {@code byte[]} raw ({@code application/octet-stream}),
 *       anything else as JSON ({@code application/json});</li>
 *   <li>any other return value: 200 with the same body rules; {@code null} (or {@code void}): 204;</li>
 *   <li>a request body over the host's limit: 413 ({@link RequestBodies});</li>
 *   <li>no route: 404; an input that does not fit its parameter: 400; an exception of the function: 500 with a
 *       short message, logged with its stack trace; the host keeps serving.</li>
 * </ul>
 * Error bodies are JSON {@code {"error": "..."}}.
 */
public final class HttpFunctionHandler implements Handler {
    private static final Logger log = LoggerFactory.getLogger(HttpFunctionHandler.class);
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String BINARY = "application/octet-stream";

    private final String routePrefix;
    private final HttpTriggerRouter<FunctionInvoker> router;
    private final DataConverter dataConverter;
    private final ObjectMapper json;
    private final long maxBodySize;

    /**
     * @param routePrefix   the prefix without slashes ({@code api}); empty for none
     * @param router        the HTTP functions
     * @param dataConverter serializes object bodies to JSON (the same converter as the durable runtime)
     * @param json          writes error bodies
     * @param maxBodySize   the request body limit in bytes ({@link RequestBodies})
     */
    public HttpFunctionHandler(String routePrefix, HttpTriggerRouter<FunctionInvoker> router,
                               DataConverter dataConverter, ObjectMapper json, long maxBodySize) {
        this.routePrefix = routePrefix;
        this.router = router;
        this.dataConverter = dataConverter;
        this.json = json;
        this.maxBodySize = maxBodySize;
    }

    @Override
    public void handle(Context ctx) {
        String path = ctx.req().getRequestURI();
        String relative = stripPrefix(path);
        HttpMethod method = HttpMethod.value(ctx.method().name());
        var match = relative == null || method == null ? null : router.match(method, relative).orElse(null);
        if (match == null) {
            error(ctx, 404, "No function matches " + ctx.method().name() + " " + path);
            return;
        }
        FunctionInvoker invoker = match.route().target();
        String functionName = invoker.function().name();
        Object result;
        try {
            result = invoker.invoke(Invocation.http(functionName,
                    requestData(ctx, RequestBodies.read(ctx, maxBodySize)), match.values()));
        } catch (RequestBodies.TooLargeException e) {
            throw e;
        } catch (BindingException e) {
            log.info("Function '{}': bad request {} {}: {}", functionName, ctx.method().name(), path, e.getMessage());
            error(ctx, 400, e.getMessage());
            return;
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Exception | Error e) {
            log.error("Function '{}' failed on {} {}", functionName, ctx.method().name(), path, e);
            error(ctx, 500, "Exception while executing function '" + functionName + "': " + e);
            return;
        }
        try {
            write(ctx, result, dataConverter);
        } catch (RuntimeException e) {
            log.error("Function '{}': its response cannot be written", functionName, e);
            error(ctx, 500, "Function '" + functionName + "' returned a response that cannot be written: " + e);
        }
    }

    /** The path after the route prefix, or null if the path is not under the prefix. */
    private String stripPrefix(String path) {
        if (routePrefix.isEmpty()) {
            return path;
        }
        String prefix = "/" + routePrefix;
        if (!path.regionMatches(true, 0, prefix, 0, prefix.length())) {
            return null;
        }
        String rest = path.substring(prefix.length());
        return rest.isEmpty() || rest.startsWith("/") ? rest : null;
    }

    /**
     * The request as functions see it.
     *
     * @param body the body, read with {@link RequestBodies#read}
     */
    public static HttpRequestData requestData(Context ctx, byte[] body) {
        HttpMethod method = HttpMethod.value(ctx.method().name());
        HttpServletRequest req = ctx.req();
        Map<String, String> headers = new LinkedHashMap<>();
        for (String name : Collections.list(req.getHeaderNames())) {
            headers.put(name, String.join(",", Collections.list(req.getHeaders(name))));
        }
        Map<String, String> query = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : ctx.queryParamMap().entrySet()) {
            query.put(e.getKey(), String.join(",", e.getValue()));
        }
        return new HttpRequestData(method, requestUri(ctx), headers, query, body);
    }

    /** The full URL the client asked for. */
    static URI requestUri(Context ctx) {
        String url = ctx.fullUrl();
        try {
            return new URI(url);
        } catch (URISyntaxException e) {
            HttpServletRequest req = ctx.req();
            try {
                return new URI(req.getScheme(), null, req.getServerName(), req.getServerPort(), req.getRequestURI(),
                        req.getQueryString(), null);
            } catch (URISyntaxException again) {
                throw new IllegalArgumentException("Malformed request URL: " + url, again);
            }
        }
    }

    /**
     * Writes what a function returned (see the class comment), or an {@link HttpResponseMessage} the host built.
     *
     * @param dataConverter serializes object bodies to JSON
     */
    public static void write(Context ctx, Object result, DataConverter dataConverter) {
        if (result instanceof HttpResponseMessage response) {
            ctx.status(response.getStatusCode());
            String contentType = response.getHeader("Content-Type");
            if (response instanceof HttpResponseMessageImpl impl) {
                impl.getHeaders().forEach((name, value) -> {
                    if (!name.equalsIgnoreCase("Content-Type") && value != null) {
                        ctx.header(name, value);
                    }
                });
            }
            writeBody(ctx, response.getBody(), contentType, dataConverter);
        } else if (result == null) {
            ctx.status(204);
        } else {
            ctx.status(200);
            writeBody(ctx, result, null, dataConverter);
        }
    }

    private static void writeBody(Context ctx, Object body, String contentType, DataConverter dataConverter) {
        byte[] bytes;
        String defaultType;
        if (body == null) {
            if (contentType != null) {
                ctx.contentType(contentType);
            }
            return;
        } else if (body instanceof byte[] raw) {
            bytes = raw;
            defaultType = BINARY;
        } else if (body instanceof String text) {
            bytes = text.getBytes(StandardCharsets.UTF_8);
            defaultType = TEXT;
        } else {
            bytes = dataConverter.serialize(body).getBytes(StandardCharsets.UTF_8);
            defaultType = JsonResponses.JSON;
        }
        ctx.contentType(contentType != null ? contentType : defaultType);
        ctx.result(bytes);
    }

    private void error(Context ctx, int status, String message) {
        JsonResponses.error(ctx, status, message, json);
    }
}
