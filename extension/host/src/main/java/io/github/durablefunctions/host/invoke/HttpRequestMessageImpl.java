package io.github.durablefunctions.host.invoke;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.HttpStatusType;

import java.net.URI;
import java.util.Map;

/**
 * The {@link HttpRequestMessage} an {@code @HttpTrigger} parameter receives.
 *
 * @param <T> the body type the parameter declares ({@code String}, {@code Optional<String>}, {@code byte[]}, a
 *            POJO read from JSON, ...)
 */
public final class HttpRequestMessageImpl<T> implements HttpRequestMessage<T> {
    private final HttpRequestData request;
    private final T body;

    /**
     * @param request the request as received
     * @param body    its body converted to the parameter's body type
     */
    public HttpRequestMessageImpl(HttpRequestData request, T body) {
        this.request = request;
        this.body = body;
    }

    /** The full request URL. */
    @Override
    public URI getUri() {
        return request.uri();
    }

    @Override
    public HttpMethod getHttpMethod() {
        return request.method();
    }

    /** Headers with lower-case names; {@code get} ignores case. Read-only. */
    @Override
    public Map<String, String> getHeaders() {
        return request.headers();
    }

    /** Decoded query parameters; repeated ones joined with {@code ,}. Read-only. */
    @Override
    public Map<String, String> getQueryParameters() {
        return request.query();
    }

    @Override
    public T getBody() {
        return body;
    }

    @Override
    public HttpResponseMessage.Builder createResponseBuilder(HttpStatus status) {
        return new HttpResponseMessageImpl.Builder(status);
    }

    @Override
    public HttpResponseMessage.Builder createResponseBuilder(HttpStatusType status) {
        return new HttpResponseMessageImpl.Builder(status);
    }
}
