package io.github.durablefunctions.entities;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import io.github.durablefunctions.FailureDetails;

/**
 * An entity's answer to a call or lock request: the {@code Input} of an {@code EventRaised} named by the request ID,
 * sent to the caller's execution (DTFx {@code ResponseMessage}, storage-layout.md §9). A wire type.
 */
@JsonPropertyOrder({"result", "exceptionType", "failureDetails"})
public final class ResponseMessage {
    /** The result JSON (or {@link EntityMessageNames#LOCK_ACQUISITION_COMPLETED}); null for none or a failure. */
    @JsonProperty("result")
    public String result;

    /** The error message of a failed operation (left out when null). */
    @JsonProperty("exceptionType")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public String errorMessage;

    /** The failure details of a failed operation, PascalCase members (left out when null). */
    @JsonProperty("failureDetails")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public JsonNode failureDetails;

    /** A successful response. */
    public static ResponseMessage success(String resultJson) {
        ResponseMessage m = new ResponseMessage();
        m.result = resultJson;
        return m;
    }

    /** A failure response. */
    public static ResponseMessage failure(FailureDetails details) {
        ResponseMessage m = new ResponseMessage();
        m.errorMessage = details.getErrorMessage();
        m.failureDetails = EntityJson.failureDetailsToJson(details);
        return m;
    }

    /** True if the operation failed. */
    @JsonIgnore
    public boolean isFailure() {
        return errorMessage != null || (failureDetails != null && !failureDetails.isNull());
    }

    /** The failure details (built from {@code exceptionType} alone when only that is present), or null. */
    @JsonIgnore
    public FailureDetails failure() {
        FailureDetails d = EntityJson.failureDetailsFromJson(failureDetails);
        if (d == null && errorMessage != null) {
            d = new FailureDetails("EntityOperationFailed", errorMessage);
        }
        return d;
    }

    public String toJson() {
        return EntityJson.write(this);
    }

    /** @throws IllegalArgumentException if the JSON is not a response message */
    public static ResponseMessage fromJson(String json) {
        return EntityJson.read(json, ResponseMessage.class);
    }
}
