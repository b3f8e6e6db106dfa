package io.github.durablefunctions.samples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.awaitility.Awaitility.await;

/** Small HTTP helpers for the end-to-end tests (java.net.http + Jackson). */
final class Http {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private Http() {
    }

    static HttpResponse<String> post(String url, String jsonBody) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (jsonBody == null) {
            request.POST(HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(jsonBody));
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> postText(String url, String text) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString(text)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> delete(String url) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The management API's URL for an instance: {@code <base>/runtime/webhooks/durabletask/instances/<id><suffix>}. */
    static String instanceUrl(SampleHost host, String instanceId, String suffix) {
        return host.baseUrl() + "/runtime/webhooks/durabletask/instances/"
                + java.net.URLEncoder.encode(instanceId, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20")
                + suffix;
    }

    /** Starts an orchestration through the samples' HTTP starter and returns its instance ID (asserting 202). */
    static String start(SampleHost host, String orchestrator, String jsonInput) throws IOException,
            InterruptedException {
        HttpResponse<String> response = post(host.baseUrl() + "/api/orchestrators/" + orchestrator, jsonInput);
        if (response.statusCode() != 202) {
            throw new AssertionError("Starting " + orchestrator + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return json(response).path("id").asText();
    }

    /** The status endpoint's JSON for an instance (any status code). */
    static JsonNode status(SampleHost host, String instanceId, String query) throws IOException,
            InterruptedException {
        return json(get(instanceUrl(host, instanceId, query)));
    }

    /** Polls the status endpoint until the instance's custom status satisfies {@code condition}; returns it. */
    static JsonNode awaitCustomStatus(SampleHost host, String instanceId, java.util.function.Predicate<JsonNode> condition,
                                      Duration atMost) {
        JsonNode[] last = new JsonNode[1];
        await("custom status of " + instanceId).atMost(atMost).pollInterval(Duration.ofMillis(200)).until(() -> {
            last[0] = status(host, instanceId, "").path("customStatus");
            return condition.test(last[0]);
        });
        return last[0];
    }

    /** Waits until the instance has finished and returns its status JSON. */
    static JsonNode awaitFinished(SampleHost host, String instanceId, Duration atMost) {
        return awaitStatus200(instanceUrl(host, instanceId, ""), atMost);
    }

    static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    /** Polls a status URL until it answers 200 and returns that response's JSON. */
    static JsonNode awaitStatus200(String statusUrl, Duration atMost) {
        JsonNode[] last = new JsonNode[1];
        await("status 200 from " + statusUrl).atMost(atMost).pollInterval(Duration.ofMillis(200)).until(() -> {
            HttpResponse<String> r = get(statusUrl);
            if (r.statusCode() == 200) {
                last[0] = json(r);
                return true;
            }
            return false;
        });
        return last[0];
    }
}
