package io.github.durablefunctions.samples;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.annotation.FunctionName;
import io.github.durablefunctions.Task;
import io.github.durablefunctions.TaskOrchestrationContext;
import io.github.durablefunctions.azurefunctions.ActivityTrigger;
import io.github.durablefunctions.azurefunctions.OrchestrationTrigger;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fan-out/fan-in: counts the words of the documents this app ships ({@code src/main/resources/documents}). The
 * orchestrator asks {@code ListDocuments} which documents exist (or takes a list of names as its input), calls
 * {@code CountWords} for all of them in parallel, waits for every result, and returns the per-document counts and
 * their total.
 *
 * <pre>
 * curl -i -X POST http://127.0.0.1:7071/api/orchestrators/WordCount
 * curl -i -X POST http://127.0.0.1:7071/api/orchestrators/WordCount -H 'Content-Type: application/json' -d '["rain.txt","sea.txt"]'
 * # output: {"total":...,"perDocument":{"rain.txt":...,"sea.txt":...}}
 * </pre>
 */
public class WordCount {
    private static final String INDEX = "/documents/index.txt";

    /** The orchestration's output: the total and the count of each document, in the order they were listed. */
    public record Report(int total, Map<String, Integer> perDocument) {
    }

    @FunctionName("WordCount")
    public Report wordCount(@OrchestrationTrigger(name = "ctx") TaskOrchestrationContext ctx) {
        String[] requested = ctx.getInput(String[].class);
        List<String> documents = requested != null && requested.length > 0 ? Arrays.asList(requested)
                : Arrays.asList(ctx.callActivity("ListDocuments", String[].class).await());

        List<Task<Integer>> counts = new ArrayList<>();
        for (String document : documents) {
            counts.add(ctx.callActivity("CountWords", document, Integer.class));
        }
        List<Integer> results = ctx.allOf(counts).await();

        Map<String, Integer> perDocument = new LinkedHashMap<>();
        int total = 0;
        for (int i = 0; i < documents.size(); i++) {
            perDocument.put(documents.get(i), results.get(i));
            total += results.get(i);
        }
        return new Report(total, perDocument);
    }

    @FunctionName("ListDocuments")
    public List<String> listDocuments(@ActivityTrigger(name = "input") String ignored) {
        return documentNames();
    }

    /**
     * Counts the whitespace-separated words of one shipped document.
     *
     * @throws IllegalArgumentException if no document has that name (the orchestration sees a failed task)
     */
    @FunctionName("CountWords")
    public int countWords(@ActivityTrigger(name = "document") String document, final ExecutionContext context) {
        if (!documentNames().contains(document)) {
            throw new IllegalArgumentException("No document named '" + document + "'; known documents: "
                    + documentNames());
        }
        String text = read("/documents/" + document);
        int words = text.isBlank() ? 0 : text.trim().split("\\s+").length;
        context.getLogger().info(document + ": " + words + " words");
        return words;
    }

    private static List<String> documentNames() {
        return read(INDEX).lines().map(String::trim).filter(line -> !line.isEmpty()).toList();
    }

    private static String read(String resource) {
        try (InputStream in = WordCount.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Resource " + resource + " is missing from the app jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
