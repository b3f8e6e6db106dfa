package io.github.durablefunctions.host;

import com.microsoft.azure.functions.HttpMethod;
import io.github.durablefunctions.host.config.DurableTaskOptions;
import io.github.durablefunctions.host.config.HostConfig;
import io.github.durablefunctions.host.durabletask.DurableTaskHttpApi;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/** Renders what the host prints once started, in the manner of {@code func start}. */
final class StartupSummary {
    private StartupSummary() {
    }

    static String render(DurableHost host, FunctionRegistry registry, HostConfig config, String storageEndpoint,
                         String azurite) {
        StringBuilder out = new StringBuilder();
        out.append("\nFunctions:\n\n");
        String prefix = config.routePrefix().isEmpty() ? "" : "/" + config.routePrefix();
        registry.http().stream()
                .sorted(Comparator.comparing(f -> f.invoker().function().name(), String.CASE_INSENSITIVE_ORDER))
                .forEach(f -> out.append("        ").append(f.invoker().function().name()).append(": ")
                        .append(methods(f.methods().stream().sorted().toList())).append(' ')
                        .append(host.baseUrl()).append(prefix).append('/').append(stripSlash(f.route().template()))
                        .append("\n\n"));
        registry.orchestrators().forEach(o -> out.append("        ").append(o.invoker().function().name())
                .append(": orchestrationTrigger")
                .append(o.name().equals(o.invoker().function().name()) ? "" : " (orchestration '" + o.name() + "')")
                .append("\n\n"));
        registry.activities().forEach(a -> out.append("        ").append(a.invoker().function().name())
                .append(": activityTrigger")
                .append(a.name().equals(a.invoker().function().name()) ? "" : " (activity '" + a.name() + "')")
                .append("\n\n"));
        registry.entities().forEach(e -> out.append("        ").append(e.invoker().function().name())
                .append(": entityTrigger (entity '").append(e.name()).append("')\n\n"));
        if (!registry.skipped().isEmpty()) {
            out.append("Not loaded:\n\n");
            registry.skipped().forEach(s -> out.append("        ").append(s.function().name()).append(": ")
                    .append(s.function().triggerType()).append(" - ")
                    .append(withoutPrefix(s.reason(), "Function '" + s.function().name() + "': "))
                    .append("\n\n"));
        }
        DurableTaskOptions durable = config.durableTask();
        out.append("Task hub: ").append(durable.hubName()).append('\n');
        out.append("Storage: ").append(storageEndpoint).append(" (connection from ")
                .append(config.storageConnectionSource())
                .append(azurite == null ? "" : "; development storage " + azurite).append(")\n");
        out.append("Durable task API: ").append(host.baseUrl()).append(DurableTaskHttpApi.BASE_PATH).append('\n');
        return out.toString();
    }

    private static String methods(List<HttpMethod> methods) {
        return methods.isEmpty() ? "[all methods]"
                : methods.stream().map(Enum::name).collect(Collectors.joining(",", "[", "]"));
    }

    private static String withoutPrefix(String text, String prefix) {
        return text.startsWith(prefix) ? text.substring(prefix.length()) : text;
    }

    private static String stripSlash(String route) {
        return route.startsWith("/") ? route.substring(1) : route;
    }
}
