package io.github.durablefunctions.host.http;

import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Reads request bodies up to the host's limit ({@code --max-request-body-size}). A body whose
 * {@code Content-Length} is over the limit is refused before any of it is read; a body without one (chunked) is read
 * up to one byte past the limit and refused then. {@link HostHttpServer} answers a refusal with 413.
 */
public final class RequestBodies {
    /** Array sizes above this fail on some JVMs. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 16L;

    private RequestBodies() {
    }

    /** A request body over the limit; {@link HostHttpServer} turns it into a 413 response. */
    public static final class TooLargeException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final long limit;

        TooLargeException(long limit, long declared) {
            super("The request body " + (declared >= 0 ? "(" + declared + " bytes) " : "")
                    + "is larger than the host's limit of " + limit + " bytes (--max-request-body-size)");
            this.limit = limit;
        }

        /** The limit, in bytes. */
        public long limit() {
            return limit;
        }
    }

    /**
     * Refuses the request if its declared {@code Content-Length} is over the limit.
     *
     * @throws TooLargeException if it is
     */
    public static void checkDeclaredLength(Context ctx, long limit) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > limit) {
            throw new TooLargeException(limit, declared);
        }
    }

    /**
     * The whole body; empty if there is none.
     *
     * @throws TooLargeException    if it is larger than {@code limit} bytes
     * @throws UncheckedIOException if the client stops sending
     */
    public static byte[] read(Context ctx, long limit) {
        checkDeclaredLength(ctx, limit);
        long readLimit = Math.min(limit, MAX_ARRAY - 1) + 1;
        try {
            InputStream in = ctx.req().getInputStream();
            byte[] bytes = in.readNBytes((int) readLimit);
            if (bytes.length > limit) {
                throw new TooLargeException(limit, -1);
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the request body: " + e.getMessage(), e);
        }
    }
}
