package io.github.durablefunctions.azurestorage.testing;

import io.github.durablefunctions.azurestorage.azurite.Azurite;
import io.github.durablefunctions.azurestorage.azurite.AzuriteOptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * JUnit 5 extension that gives tests a real Azurite: one in-memory instance per JVM on free ports, started lazily on
 * first use and stopped by a shutdown hook. Use {@code @ExtendWith(AzuriteExtension.class)} on a test class (it is
 * started before the class's tests), or call {@link #connectionString()} directly.
 *
 * <p>Azurite is installed (once, with {@code npm ci} from the lock file shipped with {@link Azurite}) into the
 * directory named by the system property {@code azurite.installDir}, else into {@code <repo root>/.azurite}, where
 * the repo root is the nearest folder above the working directory that holds {@code .git} or the top
 * {@code pom.xml} (artifactId {@code durable-functions-parent}).
 *
 * <p>Tests should each use their own task hub name so that they do not see each other's messages.
 */
public final class AzuriteExtension implements BeforeAllCallback {
    /** System property naming the Azurite install directory. */
    public static final String INSTALL_DIR_PROPERTY = "azurite.installDir";

    private static Azurite azurite;

    @Override
    public void beforeAll(ExtensionContext context) {
        connectionString();
    }

    /**
     * The explicit connection string of the shared Azurite, starting it on first call.
     *
     * @throws UncheckedIOException if Azurite cannot be installed or started (the message carries its output)
     */
    public static synchronized String connectionString() {
        return instance().connectionString();
    }

    /** The shared Azurite, started on first call. */
    public static synchronized Azurite instance() {
        if (azurite == null || !azurite.isAlive()) {
            try {
                azurite = Azurite.start(AzuriteOptions.inMemoryOnFreePorts(installDir()));
            } catch (IOException e) {
                throw new UncheckedIOException("Could not start Azurite for tests: " + e.getMessage(), e);
            }
            Azurite started = azurite;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "azurite-shutdown"));
        }
        return azurite;
    }

    /** Where Azurite is installed: {@code -Dazurite.installDir}, else {@code <repo root>/.azurite}. */
    public static Path installDir() {
        String configured = System.getProperty(INSTALL_DIR_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Paths.get(configured).toAbsolutePath();
        }
        return repoRoot().resolve(".azurite");
    }

    /**
     * The repository root: the nearest directory at or above the working directory holding {@code .git} or a
     * {@code pom.xml} with artifactId {@code durable-functions-parent}.
     *
     * @throws IllegalStateException if there is none
     */
    public static Path repoRoot() {
        Path start = Paths.get("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve(".git")) || isParentPom(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("No repository root (a folder with .git or the durable-functions-parent "
                + "pom.xml) above " + start + "; set -D" + INSTALL_DIR_PROPERTY + "=<dir>");
    }

    private static boolean isParentPom(Path pom) {
        if (!Files.isRegularFile(pom)) {
            return false;
        }
        try {
            return Files.readString(pom).contains("<artifactId>durable-functions-parent</artifactId>")
                    && !Files.readString(pom).contains("<parent>");
        } catch (IOException e) {
            return false;
        }
    }
}
