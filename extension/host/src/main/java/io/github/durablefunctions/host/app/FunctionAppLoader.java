package io.github.durablefunctions.host.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.azure.functions.annotation.FunctionName;
import io.github.durablefunctions.host.HostStartupException;
import io.github.durablefunctions.host.config.AppSettings;
import io.github.durablefunctions.host.config.JsonFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Loads the staging folder that {@code azure-functions-maven-plugin} writes ({@code target/azure-functions/<app>/}):
 * every {@code <FunctionName>/function.json}
 * ({@code {"scriptFile":"../<app>.jar","entryPoint":"com.example.Functions.method","bindings":[...]}}), the jars
 * they name, and {@code lib/*.jar}.
 *
 * <p><b>Class loading is parent-first.</b> The app's {@link URLClassLoader} has the host's class loader as parent,
 * so classes the host also has (durable-functions-core, azure-functions-java-library, Jackson, SLF4J) are the host's:
 * the {@code TaskOrchestrationContext}, {@code DurableClientContext}, {@code HttpRequestMessage} and annotation
 * classes the app sees are the very classes the host binds, and {@code lib/durable-functions-core-*.jar} (which the
 * plugin copies into the staging folder) is shadowed. The cost: an app cannot use a different version of a library
 * the host ships; it gets the host's.
 *
 * <p>An entry point names a class and a method; if the class has several public methods of that name, the one
 * whose {@code @FunctionName} is the function's name is taken. Instance methods need a public no-argument
 * constructor (a new instance is made per invocation, as the Functions Java worker does).
 */
public final class FunctionAppLoader {
    /** The file that describes one function. */
    public static final String FUNCTION_JSON = "function.json";

    private static final Logger log = LoggerFactory.getLogger(FunctionAppLoader.class);

    private FunctionAppLoader() {
    }

    /**
     * Loads the app.
     *
     * @param appDir   the staging folder
     * @param parent   the parent of the app's class loader: the host's class loader, or (in tests) a loader that
     *                 hides the app's classes from the host's class path
     * @param settings app settings, for {@code AzureWebJobs.<FunctionName>.Disabled}
     * @return the app; close it when done
     * @throws HostStartupException if the folder is missing or has no functions, a {@code function.json} is not
     *                              valid or lacks {@code scriptFile}/{@code entryPoint}, a jar is missing, or an
     *                              entry point's class or method cannot be found or loaded
     */
    public static FunctionApp load(Path appDir, ClassLoader parent, AppSettings settings)
            throws HostStartupException {
        Path dir = appDir.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new HostStartupException("The app folder " + dir + " does not exist");
        }
        List<Path> functionFiles = functionJsonFiles(dir);
        if (functionFiles.isEmpty()) {
            throw new HostStartupException("No functions found in " + dir + ": no <FunctionName>/" + FUNCTION_JSON
                    + ". Pass the staging folder that 'mvn package' writes: target/azure-functions/<appName>/");
        }
        List<Declared> declared = new ArrayList<>();
        List<String> disabled = new ArrayList<>();
        for (Path file : functionFiles) {
            Declared d = parse(file);
            if (d.disabledInFile || settings.get("AzureWebJobs." + d.name + ".Disabled")
                    .map(v -> v.trim().equalsIgnoreCase("true") || v.trim().equals("1")).orElse(false)) {
                log.info("Function '{}' is disabled; not loading it", d.name);
                disabled.add(d.name);
            } else {
                declared.add(d);
            }
        }

        Set<Path> jars = new LinkedHashSet<>();
        for (Declared d : declared) {
            if (!Files.isRegularFile(d.scriptFile)) {
                throw new HostStartupException("Function '" + d.name + "': its scriptFile " + d.scriptFile
                        + " does not exist (" + d.file + ")");
            }
            jars.add(d.scriptFile);
        }
        jars.addAll(libJars(dir.resolve("lib")));
        URLClassLoader loader = new URLClassLoader("function-app", toUrls(jars), parent);
        try {
            List<FunctionDefinition> functions = new ArrayList<>();
            for (Declared d : declared) {
                functions.add(new FunctionDefinition(d.name, d.scriptFile, d.entryPoint, d.bindings,
                        resolveMethod(d, loader)));
            }
            functions.sort(Comparator.comparing(FunctionDefinition::name, String.CASE_INSENSITIVE_ORDER));
            return new FunctionApp(dir, functions, disabled, loader);
        } catch (HostStartupException | RuntimeException | Error e) {
            closeQuietly(loader);
            throw e;
        }
    }

    private static List<Path> functionJsonFiles(Path dir) throws HostStartupException {
        try (Stream<Path> children = Files.list(dir)) {
            return children.filter(Files::isDirectory)
                    .map(d -> d.resolve(FUNCTION_JSON))
                    .filter(Files::isRegularFile)
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new HostStartupException("Cannot list " + dir + ": " + e, e);
        }
    }

    private static List<Path> libJars(Path lib) throws HostStartupException {
        if (!Files.isDirectory(lib)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(lib)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new HostStartupException("Cannot list " + lib + ": " + e, e);
        }
    }

    /** What one function.json declares, before class loading. */
    private record Declared(Path file, String name, Path scriptFile, String entryPoint,
                            List<BindingDefinition> bindings, boolean disabledInFile) {
    }

    private static Declared parse(Path file) throws HostStartupException {
        String name = file.getParent().getFileName().toString();
        JsonNode root = JsonFiles.readObject(file);
        String scriptFile = requiredText(root, "scriptFile", file);
        String entryPoint = requiredText(root, "entryPoint", file);
        int dot = entryPoint.lastIndexOf('.');
        if (dot <= 0 || dot == entryPoint.length() - 1) {
            throw new HostStartupException(file + ": entryPoint '" + entryPoint
                    + "' must be <fully qualified class name>.<method name>");
        }
        JsonNode bindingsNode = JsonFiles.field(root, "bindings");
        if (bindingsNode == null || !bindingsNode.isArray()) {
            throw new HostStartupException(file + ": \"bindings\" must be an array");
        }
        List<BindingDefinition> bindings = new ArrayList<>();
        int triggers = 0;
        for (JsonNode b : bindingsNode) {
            String type = b.isObject() ? text(b, "type") : null;
            String bindingName = b.isObject() ? text(b, "name") : null;
            if (type == null || bindingName == null) {
                throw new HostStartupException(file + ": every binding needs a \"type\" and a \"name\", found " + b);
            }
            String direction = text(b, "direction");
            BindingDefinition binding = new BindingDefinition(type, direction == null ? "" : direction, bindingName, b);
            triggers += binding.isTrigger() ? 1 : 0;
            bindings.add(binding);
        }
        if (triggers > 1) {
            throw new HostStartupException(file + ": a function has exactly one trigger, found " + triggers);
        }
        JsonNode disabledNode = JsonFiles.field(root, "disabled");
        boolean disabled = disabledNode != null && disabledNode.asBoolean(false);
        Path script = file.getParent().resolve(scriptFile).normalize();
        return new Declared(file, name, script, entryPoint, bindings, disabled);
    }

    private static String requiredText(JsonNode root, String field, Path file) throws HostStartupException {
        String value = text(root, field);
        if (value == null || value.isBlank()) {
            throw new HostStartupException(file + ": \"" + field + "\" is missing");
        }
        return value.trim();
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = JsonFiles.field(node, field);
        return value == null || !value.isTextual() ? null : value.asText();
    }

    private static Method resolveMethod(Declared d, ClassLoader loader) throws HostStartupException {
        int dot = d.entryPoint.lastIndexOf('.');
        String className = d.entryPoint.substring(0, dot);
        String methodName = d.entryPoint.substring(dot + 1);
        Class<?> type;
        try {
            type = Class.forName(className, false, loader);
        } catch (ClassNotFoundException e) {
            throw new HostStartupException("Function '" + d.name + "': class " + className + " (entryPoint of "
                    + d.file + ") is not in " + d.scriptFile + " or lib/", e);
        } catch (LinkageError e) {
            throw new HostStartupException("Function '" + d.name + "': class " + className + " cannot be loaded: "
                    + e, e);
        }
        if (!Modifier.isPublic(type.getModifiers())) {
            throw new HostStartupException("Function '" + d.name + "': class " + className + " must be public");
        }
        List<Method> candidates;
        try {
            candidates = Arrays.stream(type.getMethods()).filter(m -> m.getName().equals(methodName)).toList();
        } catch (LinkageError e) {
            throw new HostStartupException("Function '" + d.name + "': the methods of " + className
                    + " cannot be loaded (a class they use is missing from the app's jars?): " + e, e);
        }
        if (candidates.isEmpty()) {
            throw new HostStartupException("Function '" + d.name + "': " + className + " has no public method "
                    + methodName + " (entryPoint of " + d.file + ")");
        }
        if (candidates.size() > 1) {
            candidates = candidates.stream().filter(m -> {
                FunctionName fn = m.getAnnotation(FunctionName.class);
                return fn != null && fn.value().equalsIgnoreCase(d.name);
            }).toList();
            if (candidates.size() != 1) {
                throw new HostStartupException("Function '" + d.name + "': " + className
                        + " has several public methods " + methodName + " and not exactly one of them is annotated"
                        + " @FunctionName(\"" + d.name + "\")");
            }
        }
        Method method = candidates.get(0);
        if (!Modifier.isStatic(method.getModifiers())) {
            if (Modifier.isAbstract(type.getModifiers()) || type.isInterface()) {
                throw new HostStartupException("Function '" + d.name + "': " + className + "." + methodName
                        + " is an instance method of an abstract class or interface; make it static or the class"
                        + " concrete");
            }
            try {
                type.getConstructor();
            } catch (NoSuchMethodException e) {
                throw new HostStartupException("Function '" + d.name + "': " + className
                        + " needs a public no-argument constructor, because " + methodName
                        + " is an instance method (a new instance is made for each invocation)");
            }
        }
        return method;
    }

    private static URL[] toUrls(Set<Path> jars) throws HostStartupException {
        URL[] urls = new URL[jars.size()];
        int i = 0;
        for (Path jar : jars) {
            try {
                urls[i++] = jar.toUri().toURL();
            } catch (MalformedURLException e) {
                throw new HostStartupException("Cannot use " + jar + " as a class path entry: " + e, e);
            }
        }
        return urls;
    }

    private static void closeQuietly(URLClassLoader loader) {
        try {
            loader.close();
        } catch (IOException e) {
            log.debug("Closing the app class loader failed", e);
        }
    }
}
