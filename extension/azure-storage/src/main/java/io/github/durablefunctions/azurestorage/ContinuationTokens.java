package io.github.durablefunctions.azurestorage;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The continuation tokens of instance queries: the Azure Tables SDK's token ({@code <NextPartitionKey>;<NextRowKey>},
 * from the service's {@code x-ms-continuation-*} headers) wrapped opaquely as unpadded base64url of its UTF-8 bytes,
 * so that callers (and URLs, where the HTTP API passes it in a header) never depend on its shape.
 */
final class ContinuationTokens {
    private ContinuationTokens() {
    }

    /** The opaque token for an SDK continuation token; null for null (no more pages). */
    static String wrap(String sdkToken) {
        if (sdkToken == null) {
            return null;
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sdkToken.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The SDK continuation token inside an opaque token; null for null or empty (the first page).
     *
     * @throws IllegalArgumentException if the token is not base64url or does not hold a
     *                                  {@code <NextPartitionKey>;<NextRowKey>} pair
     */
    static String unwrap(String token) {
        if (token == null || token.isEmpty()) {
            return null;
        }
        String sdkToken;
        try {
            sdkToken = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid(token, e);
        }
        int separator = sdkToken.indexOf(';');
        if (separator <= 0 || sdkToken.indexOf('\uFFFD') >= 0) {
            throw invalid(token, null);
        }
        return sdkToken;
    }

    static IllegalArgumentException invalid(String token, Throwable cause) {
        return new IllegalArgumentException("The continuation token '" + token + "' is not valid: pass the token "
                + "returned with the previous page of the same query", cause);
    }
}
