package io.github.durablefunctions.azurefunctions;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The management URLs of one orchestration instance: the body of the check-status response
 * (api-and-http.md §3.2). Each URL carries the {@code taskHub} and {@code connection} query parameters and, when
 * the host requires one, the {@code code} key.
 */
@JsonPropertyOrder({"id", "statusQueryGetUri", "sendEventPostUri", "terminatePostUri", "purgeHistoryDeleteUri",
        "restartPostUri", "suspendPostUri", "resumePostUri", "rewindPostUri"})
public final class HttpManagementPayload {
    private final String id;
    private final String statusQueryGetUri;
    private final String sendEventPostUri;
    private final String terminatePostUri;
    private final String purgeHistoryDeleteUri;
    private final String restartPostUri;
    private final String suspendPostUri;
    private final String resumePostUri;
    private final String rewindPostUri;

    /**
     * @param baseUrl     scheme and authority of the host, e.g. {@code http://127.0.0.1:7071}, no trailing slash
     * @param instanceId  the instance ID (escaped here)
     * @param queryString the common query string without leading {@code ?}, e.g. {@code taskHub=X&connection=Storage}
     */
    public HttpManagementPayload(String baseUrl, String instanceId, String queryString) {
        String instance = baseUrl + "/runtime/webhooks/durabletask/instances/" + UriEscaping.escapeDataString(instanceId);
        this.id = instanceId;
        this.statusQueryGetUri = instance + "?" + queryString;
        this.sendEventPostUri = instance + "/raiseEvent/{eventName}?" + queryString;
        this.terminatePostUri = instance + "/terminate?reason={text}&" + queryString;
        this.purgeHistoryDeleteUri = instance + "?" + queryString;
        this.restartPostUri = instance + "/restart?" + queryString;
        this.suspendPostUri = instance + "/suspend?reason={text}&" + queryString;
        this.resumePostUri = instance + "/resume?reason={text}&" + queryString;
        this.rewindPostUri = instance + "/rewind?reason={text}&" + queryString;
    }

    public String getId() {
        return id;
    }

    public String getStatusQueryGetUri() {
        return statusQueryGetUri;
    }

    public String getSendEventPostUri() {
        return sendEventPostUri;
    }

    public String getTerminatePostUri() {
        return terminatePostUri;
    }

    public String getPurgeHistoryDeleteUri() {
        return purgeHistoryDeleteUri;
    }

    public String getRestartPostUri() {
        return restartPostUri;
    }

    public String getSuspendPostUri() {
        return suspendPostUri;
    }

    public String getResumePostUri() {
        return resumePostUri;
    }

    public String getRewindPostUri() {
        return rewindPostUri;
    }
}
