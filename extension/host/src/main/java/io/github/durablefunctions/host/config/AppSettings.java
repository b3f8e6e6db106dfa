package io.github.durablefunctions.host.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.durablefunctions.host.HostStartupException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The app settings of a function app: the {@code Values} of {@code local.settings.json}, overridden by environment
 * variables of the same name (as Core Tools does: a value already in the environment wins).
 *
 * <p>{@code local.settings.json} is looked for, first found wins, in: the staging folder (where
 * {@code azure-functions-maven-plugin} copies it, and where {@code func start} reads it), the folder that contains
 * the staging folder, and the current directory. Having none is fine when the environment has the settings.
 */
public final class AppSettings {
    /** The file name Core Tools reads. */
    public static final String LOCAL_SETTINGS_FILE = "local.settings.json";

    private static final Pattern SETTING_REFERENCE = Pattern.compile("%([^%]+)%");

    private final Map<String, String> values;
    private final Map<String, String> environment;
    private final Path source;

    /**
     * @param values      the {@code Values} of {@code local.settings.json} (may be empty)
     * @param environment the environment variables, which override {@code values}
     * @param source      the file {@code values} came from, or null
     */
    public AppSettings(Map<String, String> values, Map<String, String> environment, Path source) {
        this.values = Map.copyOf(values);
        this.environment = Map.copyOf(environment);
        this.source = source;
    }

    /**
     * Finds and reads {@code local.settings.json} (see the class comment for where).
     *
     * @param appDir      the staging folder
     * @param workingDir  the current directory
     * @param environment the environment variables
     * @throws HostStartupException if the file found is not valid JSON, is encrypted, or its {@code Values} is not an
     *                              object of string (or number/boolean) values
     */
    public static AppSettings load(Path appDir, Path workingDir, Map<String, String> environment)
            throws HostStartupException {
        List<Path> candidates = new ArrayList<>();
        candidates.add(appDir.resolve(LOCAL_SETTINGS_FILE));
        Path parent = appDir.toAbsolutePath().normalize().getParent();
        if (parent != null) {
            candidates.add(parent.resolve(LOCAL_SETTINGS_FILE));
        }
        if (workingDir != null) {
            candidates.add(workingDir.resolve(LOCAL_SETTINGS_FILE));
        }
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate)) {
                return new AppSettings(readValues(candidate), environment, candidate);
            }
        }
        return new AppSettings(Map.of(), environment, null);
    }

    private static Map<String, String> readValues(Path file) throws HostStartupException {
        JsonNode root = JsonFiles.readObject(file);
        JsonNode encrypted = JsonFiles.field(root, "IsEncrypted");
        if (encrypted != null && encrypted.asBoolean(false)) {
            throw new HostStartupException(file + " is encrypted (\"IsEncrypted\": true); this host reads only"
                    + " plain settings: decrypt it with 'func settings decrypt' or write it again unencrypted");
        }
        JsonNode valuesNode = JsonFiles.field(root, "Values");
        Map<String, String> values = new LinkedHashMap<>();
        if (valuesNode == null || valuesNode.isNull()) {
            return values;
        }
        if (!valuesNode.isObject()) {
            throw new HostStartupException(file + ": \"Values\" must be a JSON object of setting names to strings");
        }
        for (Map.Entry<String, JsonNode> e : valuesNode.properties()) {
            JsonNode v = e.getValue();
            if (v.isNull()) {
                continue;
            }
            if (!v.isValueNode()) {
                throw new HostStartupException(file + ": the value of \"Values\"." + e.getKey()
                        + " must be a string, not " + v.getNodeType().name().toLowerCase());
            }
            values.put(e.getKey(), v.asText());
        }
        return values;
    }

    /** The value of a setting: the environment variable if set, else the {@code local.settings.json} value. */
    public Optional<String> get(String name) {
        String fromEnvironment = environment.get(name);
        if (fromEnvironment != null) {
            return Optional.of(fromEnvironment);
        }
        return Optional.ofNullable(values.get(name));
    }

    /** Where a setting's value comes from, for messages: {@code "environment"}, the file, or {@code "not set"}. */
    public String describeSource(String name) {
        if (environment.containsKey(name)) {
            return "environment";
        }
        if (values.containsKey(name)) {
            return source.toString();
        }
        return "not set";
    }

    /**
     * Replaces every {@code %Name%} in {@code text} with the value of setting {@code Name} (binding expressions of
     * {@code host.json} and binding attributes).
     *
     * @param text  the text, may be null
     * @param where what the text is, for the error message (e.g. {@code host.json extensions.durableTask.hubName})
     * @return the text with references replaced; null for null
     * @throws HostStartupException if a referenced setting is not set
     */
    public String resolve(String text, String where) throws HostStartupException {
        if (text == null) {
            return null;
        }
        Matcher m = SETTING_REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            Optional<String> value = get(name);
            if (value.isEmpty()) {
                throw new HostStartupException(where + " refers to app setting '%" + name + "%', which is not set:"
                        + " add it to \"Values\" in " + LOCAL_SETTINGS_FILE + " or to the environment");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value.get()));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The {@code local.settings.json} the values came from, or null if none was found. */
    public Path source() {
        return source;
    }
}
