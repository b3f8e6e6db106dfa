package io.github.durablefunctions.host.http;

import com.microsoft.azure.functions.HttpMethod;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the HTTP-triggered function for a request: routes are tried most specific first
 * ({@link RouteTemplate#precedence()}, then template text), and the first whose template matches the path and whose
 * methods include the request's method wins. No match (including a path that matches only with another method) is
 * a 404, as in the Functions host.
 *
 * @param <T> what a route leads to (the host uses the function's invoker)
 */
public final class HttpTriggerRouter<T> {
    private final List<Route<T>> routes;

    /**
     * One HTTP trigger.
     *
     * @param template the route template (relative to the route prefix)
     * @param methods  the allowed methods; empty means all
     * @param target   what the route leads to
     */
    public record Route<T>(RouteTemplate template, Set<HttpMethod> methods, T target) {
        public Route {
            methods = methods.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(methods));
        }

        /** True if the route accepts {@code method}. */
        public boolean allows(HttpMethod method) {
            return methods.isEmpty() || methods.contains(method);
        }
    }

    /**
     * A match: the route and the template's parameter values.
     *
     * @param route  the route
     * @param values decoded parameter values by name (looked up ignoring case)
     */
    public record Match<T>(Route<T> route, Map<String, String> values) {
    }

    /** @param routes the routes, in any order */
    public HttpTriggerRouter(List<Route<T>> routes) {
        List<Route<T>> sorted = new ArrayList<>(routes);
        sorted.sort(Comparator.comparing((Route<T> r) -> r.template().precedence())
                .thenComparing(r -> r.template().template(), String.CASE_INSENSITIVE_ORDER));
        this.routes = List.copyOf(sorted);
    }

    /**
     * Routes a request.
     *
     * @param method the request method
     * @param path   the path after the route prefix, percent-encoded
     * @return the match, or empty for 404
     */
    public Optional<Match<T>> match(HttpMethod method, String path) {
        for (Route<T> route : routes) {
            if (!route.allows(method)) {
                continue;
            }
            Optional<Map<String, String>> values = route.template().match(path);
            if (values.isPresent()) {
                return Optional.of(new Match<>(route, values.get()));
            }
        }
        return Optional.empty();
    }

    /** The routes in matching order. */
    public List<Route<T>> routes() {
        return routes;
    }
}
