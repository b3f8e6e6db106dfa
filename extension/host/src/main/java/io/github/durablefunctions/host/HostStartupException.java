package io.github.durablefunctions.host;

/**
 * The host cannot start because of something the user can fix: a missing or malformed staging folder, a bad
 * {@code function.json}, {@code host.json} or {@code local.settings.json}, a class that is not in the app's jars,
 * a missing storage connection, or Azurite that cannot be started. The message says what is wrong and where; the
 * command line prints it without a stack trace and exits with status 1.
 */
public class HostStartupException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong and where, as one or two sentences for the user */
    public HostStartupException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong and where, as one or two sentences for the user
     * @param cause   the underlying failure (printed only with {@code --verbose})
     */
    public HostStartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
