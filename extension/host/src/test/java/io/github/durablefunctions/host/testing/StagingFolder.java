package io.github.durablefunctions.host.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Writes a staging folder in the layout azure-functions-maven-plugin 1.37.0 produces
 * ({@code <app>/host.json}, {@code <app>/<app>.jar}, {@code <app>/<Function>/function.json}, {@code <app>/lib/}).
 */
public final class StagingFolder {
    private final Path dir;

    private StagingFolder(Path dir) {
        this.dir = dir;
    }

    /** A staging folder at {@code dir} (created if missing). */
    public static StagingFolder at(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new StagingFolder(dir);
    }

    public Path dir() {
        return dir;
    }

    public StagingFolder hostJson(String json) {
        return file("host.json", json);
    }

    public StagingFolder localSettings(String json) {
        return file("local.settings.json", json);
    }

    /** Writes {@code <name>/function.json} with the plugin's shape. */
    public StagingFolder function(String name, String scriptFile, String entryPoint, String bindingsJsonArray) {
        return file(name + "/function.json", "{\n  \"scriptFile\" : \"" + scriptFile + "\",\n  \"entryPoint\" : \""
                + entryPoint + "\",\n  \"bindings\" : " + bindingsJsonArray + "\n}\n");
    }

    /** Writes any file under the folder. */
    public StagingFolder file(String relativePath, String content) {
        try {
            Path file = dir.resolve(relativePath);
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /**
     * Writes a jar of the compiled test classes whose names start with one of {@code classNamePrefixes} (e.g. a
     * package {@code io.example.} or a class with its nested classes {@code io.example.Foo}).
     */
    public StagingFolder jar(String relativePath, List<String> classNamePrefixes) {
        Path classes = testClassesDir();
        Path jar = dir.resolve(relativePath);
        try {
            Files.createDirectories(jar.getParent());
            try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jarOut = new JarOutputStream(out);
                 Stream<Path> files = Files.walk(classes)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
                    String entry = classes.relativize(file).toString().replace('\\', '/');
                    String className = entry.substring(0, entry.length() - ".class".length()).replace('/', '.');
                    if (classNamePrefixes.stream().anyMatch(p -> className.equals(p) || className.startsWith(p)
                            && (p.endsWith(".") || className.charAt(p.length()) == '$'))) {
                        jarOut.putNextEntry(new JarEntry(entry));
                        jarOut.write(Files.readAllBytes(file));
                        jarOut.closeEntry();
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    private static Path testClassesDir() {
        try {
            return Path.of(StagingFolder.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
