package io.github.durablefunctions.replay;

import org.slf4j.Logger;
import org.slf4j.spi.LoggingEventBuilder;
import org.slf4j.spi.NOPLoggingEventBuilder;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.function.BooleanSupplier;

/**
 * An SLF4J {@link Logger} that is silent while the orchestrator replays: every logging call is dropped, every
 * {@code isXxxEnabled} answers false and every fluent {@code atXxx()} builder is a no-op, as long as the replaying
 * test says so at the time of the call. Otherwise each call goes to the wrapped logger.
 */
final class ReplaySafeLogger {
    private ReplaySafeLogger() {
    }

    static Logger wrap(Logger delegate, BooleanSupplier replaying) {
        if (delegate == null) {
            throw new IllegalArgumentException("createReplaySafeLogger needs a logger to wrap");
        }
        return (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[]{Logger.class},
                (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return objectMethod(proxy, method, args, delegate);
                    }
                    if (replaying.getAsBoolean()) {
                        Class<?> returns = method.getReturnType();
                        if (returns == void.class) {
                            return null;
                        }
                        if (returns == boolean.class) {
                            return false;
                        }
                        if (LoggingEventBuilder.class.isAssignableFrom(returns)) {
                            return NOPLoggingEventBuilder.singleton();
                        }
                    }
                    try {
                        return method.invoke(delegate, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static Object objectMethod(Object proxy, Method method, Object[] args, Logger delegate) {
        return switch (method.getName()) {
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            default -> "ReplaySafeLogger[" + delegate.getName() + "]";
        };
    }
}
