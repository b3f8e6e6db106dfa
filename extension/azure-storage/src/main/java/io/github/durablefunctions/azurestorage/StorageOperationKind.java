package io.github.durablefunctions.azurestorage;

import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpRequest;

import java.net.URL;
import java.util.Locale;

/**
 * Names the kind of a storage request from its method and URL, for counting transactions by kind
 * ({@link StorageTransactionCount#byKind()}). The names are {@code <service>.<operation>}:
 * <ul>
 *     <li>queue: {@code put} (Put Message), {@code get} (Get Messages), {@code peek}, {@code delete} (Delete Message),
 *     {@code update} (Update Message), {@code admin} (create, delete or read a queue, list queues);</li>
 *     <li>table: {@code batch} (entity group transaction), {@code read} (one entity by PartitionKey and RowKey),
 *     {@code query} (a filter or a whole table), {@code insert}, {@code upsert} (PUT/PATCH of one entity; update and
 *     merge too), {@code delete}, {@code admin} (create, delete or list tables);</li>
 *     <li>blob: {@code put}, {@code get}, {@code head}, {@code delete}, {@code admin} (containers, listings).</li>
 * </ul>
 * The URL forms are those of the Storage REST APIs (path-style on Azurite, {@code /<account>/...}; host-style on
 * Azure); only the last path segments are looked at, so both forms classify the same.
 */
final class StorageOperationKind {
    private StorageOperationKind() {
    }

    /** The kind of a queue request, e.g. {@code queue.put}. */
    static String queue(HttpRequest request) {
        String path = path(request.getUrl());
        String query = query(request.getUrl());
        HttpMethod method = request.getHttpMethod();
        if (path.endsWith("/messages")) {
            if (method == HttpMethod.POST) {
                return "queue.put";
            }
            if (method == HttpMethod.GET) {
                return query.contains("peekonly=true") ? "queue.peek" : "queue.get";
            }
            return "queue.admin"; // DELETE .../messages: clear
        }
        if (path.contains("/messages/")) {
            if (method == HttpMethod.DELETE) {
                return "queue.delete";
            }
            if (method == HttpMethod.PUT) {
                return "queue.update";
            }
        }
        return "queue.admin";
    }

    /** The kind of a table request, e.g. {@code table.batch}. */
    static String table(HttpRequest request) {
        String path = path(request.getUrl());
        String last = path.substring(path.lastIndexOf('/') + 1);
        HttpMethod method = request.getHttpMethod();
        if (last.equals("$batch")) {
            return "table.batch";
        }
        if (last.startsWith("Tables")) {
            return "table.admin";
        }
        boolean keyed = last.contains("PartitionKey=");
        if (method == HttpMethod.GET) {
            return keyed ? "table.read" : "table.query";
        }
        if (method == HttpMethod.POST) {
            return "table.insert";
        }
        if (method == HttpMethod.DELETE) {
            return "table.delete";
        }
        return "table.upsert";
    }

    /** The kind of a blob request, e.g. {@code blob.put}. */
    static String blob(HttpRequest request) {
        String query = query(request.getUrl());
        if (query.contains("restype=container") || query.contains("comp=list")) {
            return "blob.admin";
        }
        return "blob." + request.getHttpMethod().name().toLowerCase(Locale.ROOT);
    }

    private static String path(URL url) {
        String path = url.getPath();
        return path == null ? "" : path;
    }

    private static String query(URL url) {
        String query = url.getQuery();
        return query == null ? "" : query.toLowerCase(Locale.ROOT);
    }
}
