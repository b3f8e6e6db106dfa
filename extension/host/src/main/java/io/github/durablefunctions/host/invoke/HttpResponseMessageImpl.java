package io.github.durablefunctions.host.invoke;

import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.HttpStatusType;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The {@link HttpResponseMessage} that {@link HttpRequestMessageImpl#createResponseBuilder} builds. Setting a
 * header again (in any case) replaces its value.
 */
public final class HttpResponseMessageImpl implements HttpResponseMessage {
    private final HttpStatusType status;
    private final Map<String, String> headers;
    private final Object body;

    private HttpResponseMessageImpl(Builder builder) {
        this.status = builder.status;
        this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(builder.headers));
        this.body = builder.body;
    }

    @Override
    public HttpStatusType getStatus() {
        return status;
    }

    /** The value of a header (name ignoring case), or null. */
    @Override
    public String getHeader(String key) {
        for (Map.Entry<String, String> h : headers.entrySet()) {
            if (h.getKey().equalsIgnoreCase(key)) {
                return h.getValue();
            }
        }
        return null;
    }

    /** All headers in the order first set, names as first given. */
    public Map<String, String> getHeaders() {
        return headers;
    }

    @Override
    public Object getBody() {
        return body;
    }

    /** Builds an {@link HttpResponseMessageImpl}. Not thread-safe. */
    public static final class Builder implements HttpResponseMessage.Builder {
        private HttpStatusType status;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private Object body;

        /** @param status the initial status; null means 200 OK */
        public Builder(HttpStatusType status) {
            this.status = status == null ? HttpStatus.OK : status;
        }

        @Override
        public HttpResponseMessage.Builder status(HttpStatusType status) {
            this.status = Objects.requireNonNull(status, "status");
            return this;
        }

        @Override
        public HttpResponseMessage.Builder header(String key, String value) {
            Objects.requireNonNull(key, "header name");
            headers.keySet().removeIf(k -> k.equalsIgnoreCase(key));
            headers.put(key, value);
            return this;
        }

        @Override
        public HttpResponseMessage.Builder body(Object body) {
            this.body = body;
            return this;
        }

        @Override
        public HttpResponseMessage build() {
            return new HttpResponseMessageImpl(this);
        }
    }
}
