package io.github.durablefunctions.host.invoke;

import com.microsoft.azure.functions.HttpMethod;

import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * An HTTP request as the host received it, before its body is converted for a function's parameter.
 *
 * @param method  the method
 * @param uri     the full request URL as the client sent it (scheme, host, port, path, query)
 * @param headers header names lower-cased, values of repeated headers joined with {@code ,}; looked up ignoring case
 * @param query   query parameters, decoded, values of repeated parameters joined with {@code ,} (as the Functions
 *                host does)
 * @param body    the raw body; empty when there is none
 */
public record HttpRequestData(HttpMethod method, URI uri, Map<String, String> headers, Map<String, String> query,
                              byte[] body) {

    public HttpRequestData {
        TreeMap<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((k, v) -> h.put(k.toLowerCase(), v));
        headers = Collections.unmodifiableMap(h);
        query = Collections.unmodifiableMap(new LinkedHashMap<>(query));
        body = body == null ? new byte[0] : body;
    }

    /** The body decoded with the {@code charset} of {@code Content-Type} (UTF-8 if none or unknown). */
    public String bodyText() {
        return new String(body, charset());
    }

    private Charset charset() {
        String contentType = headers.get("content-type");
        if (contentType != null) {
            for (String part : contentType.split(";")) {
                String[] kv = part.trim().split("=", 2);
                if (kv.length == 2 && kv[0].trim().equalsIgnoreCase("charset")) {
                    try {
                        return Charset.forName(kv[1].trim().replace("\"", ""));
                    } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
                        return StandardCharsets.UTF_8;
                    }
                }
            }
        }
        return StandardCharsets.UTF_8;
    }
}
