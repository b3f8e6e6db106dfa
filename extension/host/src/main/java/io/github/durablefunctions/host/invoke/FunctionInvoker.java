package io.github.durablefunctions.host.invoke;

import io.github.durablefunctions.host.app.FunctionDefinition;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/**
 * Calls one function's method: binds its parameters ({@link ParameterBinder}), makes a new instance of its class
 * for instance methods (as the Functions Java worker does), runs it with the app's class loader as the thread's
 * context class loader, and returns its return value.
 *
 * <p>Exceptions of the user's method come out as themselves, not wrapped in {@link InvocationTargetException}: the
 * replay runtime's control-flow throwable ({@code OrchestratorBlockedException}, an {@link Error}) must reach the
 * executor unchanged, and user exceptions must become the failure details of their orchestration or activity.
 */
public final class FunctionInvoker {
    private final FunctionDefinition function;
    private final ParameterBinder binder;
    private final ClassLoader appClassLoader;
    private final Constructor<?> constructor;

    /**
     * @param function       the function
     * @param binder         its parameter binding
     * @param appClassLoader the app's class loader (set as context class loader while the method runs)
     */
    public FunctionInvoker(FunctionDefinition function, ParameterBinder binder, ClassLoader appClassLoader) {
        this.function = function;
        this.binder = binder;
        this.appClassLoader = appClassLoader;
        Method method = function.method();
        try {
            this.constructor = Modifier.isStatic(method.getModifiers()) ? null
                    : method.getDeclaringClass().getConstructor();
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("Function '" + function.name() + "': "
                    + method.getDeclaringClass().getName() + " has no public no-argument constructor", e);
        }
    }

    /** The function this invoker calls. */
    public FunctionDefinition function() {
        return function;
    }

    /**
     * Invokes the function.
     *
     * @return the method's return value (null for {@code void})
     * @throws BindingException if an input cannot be converted to its parameter
     * @throws Exception        what the method (or its class's constructor) threw, unwrapped
     */
    public Object invoke(Invocation invocation) throws Exception {
        Object[] args = binder.bind(invocation);
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(appClassLoader);
        try {
            Object target = constructor == null ? null : constructor.newInstance();
            return function.method().invoke(target, args);
        } catch (InvocationTargetException e) {
            throw unwrap(e.getCause());
        } catch (IllegalAccessException | InstantiationException | IllegalArgumentException e) {
            throw new IllegalStateException("The host cannot call " + function.entryPoint() + ": " + e, e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static Exception unwrap(Throwable cause) {
        if (cause instanceof Error error) {
            throw error;
        }
        if (cause instanceof Exception exception) {
            return exception;
        }
        return new RuntimeException(cause);
    }
}
