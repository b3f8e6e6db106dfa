package io.github.durablefunctions.host.invoke;

/**
 * A function this host cannot run (a trigger or binding it does not support, a parameter it cannot bind). The host
 * logs the message and skips the function; the others run.
 */
public final class UnsupportedFunctionException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param message which function, which parameter or binding, and why */
    public UnsupportedFunctionException(String message) {
        super(message);
    }
}
