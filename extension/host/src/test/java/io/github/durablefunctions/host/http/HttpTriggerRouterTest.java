package io.github.durablefunctions.host.http;

import com.microsoft.azure.functions.HttpMethod;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class HttpTriggerRouterTest {

    private static HttpTriggerRouter.Route<String> route(String template, String target, HttpMethod... methods) {
        return new HttpTriggerRouter.Route<>(RouteTemplate.parse(template), Set.of(methods), target);
    }

    private final HttpTriggerRouter<String> router = new HttpTriggerRouter<>(List.of(
            route("orchestrators/{name}", "start", HttpMethod.POST),
            route("orchestrators/status", "status", HttpMethod.GET, HttpMethod.POST),
            route("anything/{*rest}", "any")));

    @Test
    void picksTheRouteByPathAndMethod() {
        var match = router.match(HttpMethod.POST, "/orchestrators/Hello").orElseThrow();
        assertThat(match.route().target()).isEqualTo("start");
        assertThat(match.values()).containsEntry("name", "Hello");
    }

    @Test
    void literalRoutesWinOverParameterRoutes() {
        assertThat(router.match(HttpMethod.POST, "orchestrators/status").orElseThrow().route().target())
                .isEqualTo("status");
    }

    @Test
    void aPathMatchedOnlyWithAnotherMethodIsNotFound() {
        assertThat(router.match(HttpMethod.DELETE, "orchestrators/Hello")).isEmpty();
    }

    @Test
    void routesWithoutMethodsAcceptAll() {
        assertThat(router.match(HttpMethod.PATCH, "anything/x/y")).isPresent();
        assertThat(router.match(HttpMethod.GET, "nothing")).isEmpty();
    }
}
