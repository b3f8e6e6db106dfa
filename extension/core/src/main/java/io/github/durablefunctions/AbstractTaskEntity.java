package io.github.durablefunctions;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A class-style entity: its public methods are its operations, its state is the {@link #state} field.
 *
 * <p>For each operation, a new instance (from the entity's {@link TaskEntityFactory}) loads {@link #state} from the
 * stored state (or {@link #initializeState} if the entity has none), calls the public method whose name equals the
 * operation name ignoring case, and stores {@link #state} back when the method returns. A method takes zero, one or
 * two parameters: the operation input (deserialized to the parameter's type, generics included) and/or a
 * {@link TaskEntityContext}; its return value is the operation result. An operation named {@code delete} with no
 * such method deletes the state. Any other unknown operation fails with {@link UnsupportedOperationException}.
 *
 * <p>Details:
 * <ul>
 *   <li>Operations are the public instance methods of the concrete class and its superclasses, except those declared
 *       by {@link Object} and by this class. Two methods whose names match the operation (overloads, or names that
 *       differ only in case) make the operation fail with an {@link IllegalStateException}.</li>
 *   <li>A parameter of type {@link TaskEntityContext} gets the context, one of type {@link TaskEntityOperation} the
 *       operation itself, any other the input ({@link TaskEntityOperation#getInput(Type)} with the parameter's
 *       generic type; zero / false for a primitive parameter when there is no input). More than two parameters, or
 *       two input parameters, fail the operation with an {@link IllegalStateException}.</li>
 *   <li>Deleting: setting {@link #state} to null deletes the state. A method that deletes the state through the
 *       operation ({@code operation.getState().deleteState()} or {@code setState(null)}) leaves it deleted: the
 *       {@link #state} field is then not written back. (For an entity that had no state, the state from
 *       {@link #initializeState} is stored before the method runs, so that such a deletion is seen.) Otherwise
 *       {@link #state} is written back with {@code operation.getState().setState(state)} after the method returns,
 *       replacing anything the method stored through the operation. Reading an entity that does not exist therefore
 *       creates it with its initial state, as in .NET's {@code TaskEntity<TState>}.</li>
 *   <li>If the method throws, its exception (unwrapped from reflection) fails the operation, and the entity executor
 *       rolls back the state.</li>
 * </ul>
 *
 * @param <TState> the state type, serialized with the data converter
 */
public abstract class AbstractTaskEntity<TState> implements TaskEntity {
    /** The operation name that deletes the state when the class has no method of that name. */
    private static final String DELETE = "delete";

    /** Public operation methods of each entity class, by lower-case name. */
    private static final ClassValue<Map<String, List<Method>>> OPERATIONS = new ClassValue<>() {
        @Override
        protected Map<String, List<Method>> computeValue(Class<?> type) {
            Map<String, List<Method>> byName = new TreeMap<>();
            for (Method m : type.getMethods()) {
                Class<?> declaring = m.getDeclaringClass();
                if (Modifier.isStatic(m.getModifiers()) || m.isBridge() || m.isSynthetic()
                        || declaring == Object.class || declaring == AbstractTaskEntity.class) {
                    continue;
                }
                try {
                    m.setAccessible(true); // public methods of a non-public class
                } catch (RuntimeException e) {
                    // not accessible: invoking reports it
                }
                byName.computeIfAbsent(m.getName().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(m);
            }
            return byName;
        }
    };

    /** The entity's state during an operation. */
    protected TState state;
    /** The entity's context during an operation. */
    protected TaskEntityContext context;

    /** The state's class, for deserializing it. */
    protected abstract Class<TState> getStateType();

    /**
     * The state of an entity that has none yet. The default: a new instance by the public no-argument constructor if
     * there is one, zero for the boxed number types, false for {@code Boolean}, else null.
     *
     * @throws IllegalStateException if the no-argument constructor throws
     */
    protected TState initializeState(TaskEntityOperation operation) {
        return defaultValue(getStateType());
    }

    /**
     * Dispatches the operation to the public method of that name (see the class description).
     *
     * @throws UnsupportedOperationException if there is no such method and the operation is not {@code delete}
     * @throws IllegalStateException         if the method's name is ambiguous or its parameters are not supported
     * @throws Exception                     whatever the method throws (unwrapped from reflection)
     */
    @Override
    public Object run(TaskEntityOperation operation) throws Exception {
        String name = operation.getName();
        List<Method> candidates = name == null ? null : OPERATIONS.get(getClass()).get(name.toLowerCase(Locale.ROOT));
        TaskEntityState store = operation.getState();
        if (candidates == null) {
            if (DELETE.equalsIgnoreCase(name)) {
                store.deleteState();
                return null;
            }
            throw new UnsupportedOperationException("Entity class " + getClass().getName() + " has no operation '"
                    + name + "' (no public method of that name, ignoring case)");
        }
        if (candidates.size() > 1) {
            throw new IllegalStateException("Entity class " + getClass().getName() + " has " + candidates.size()
                    + " public methods named '" + name + "' (ignoring case); an operation needs exactly one: "
                    + candidates);
        }
        Method method = candidates.get(0);
        Object[] arguments = arguments(method, operation);

        this.context = operation.getContext();
        boolean existed = store.hasState();
        this.state = existed ? store.getState(getStateType()) : initializeState(operation);
        if (!existed && state != null) {
            store.setState(state); // so that a deletion by the method can be told apart
        }
        boolean hadState = store.hasState();
        Object result;
        try {
            result = method.invoke(this, arguments);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        }
        if (hadState && !store.hasState()) {
            return result; // the method deleted the state through the operation: it stays deleted
        }
        store.setState(state);
        return result;
    }

    private Object[] arguments(Method method, TaskEntityOperation operation) {
        Class<?>[] types = method.getParameterTypes();
        Type[] genericTypes = method.getGenericParameterTypes();
        if (types.length > 2) {
            throw new IllegalStateException(unsupported(method, "it has " + types.length + " parameters"));
        }
        Object[] arguments = new Object[types.length];
        boolean inputTaken = false;
        for (int i = 0; i < types.length; i++) {
            if (types[i] == TaskEntityContext.class) {
                arguments[i] = operation.getContext();
            } else if (types[i] == TaskEntityOperation.class) {
                arguments[i] = operation;
            } else {
                if (inputTaken) {
                    throw new IllegalStateException(unsupported(method, "it has two input parameters"));
                }
                inputTaken = true;
                Object input = operation.hasInput() ? operation.getInput(genericTypes[i]) : null;
                arguments[i] = input == null && types[i].isPrimitive() ? primitiveDefault(types[i]) : input;
            }
        }
        return arguments;
    }

    private String unsupported(Method method, String why) {
        return "Entity class " + getClass().getName() + ": method " + method.getName() + " cannot be an operation "
                + "because " + why + "; an operation method takes at most an input and a TaskEntityContext (or "
                + "TaskEntityOperation)";
    }

    private static Object primitiveDefault(Class<?> type) {
        if (type == boolean.class) {
            return false;
        }
        if (type == char.class) {
            return '\0';
        }
        if (type == long.class) {
            return 0L;
        }
        if (type == double.class) {
            return 0.0d;
        }
        if (type == float.class) {
            return 0.0f;
        }
        if (type == short.class) {
            return (short) 0;
        }
        if (type == byte.class) {
            return (byte) 0;
        }
        return 0;
    }

    private static <T> T defaultValue(Class<T> type) {
        Object zero = null;
        if (type == Integer.class) {
            zero = 0;
        } else if (type == Long.class) {
            zero = 0L;
        } else if (type == Double.class) {
            zero = 0.0d;
        } else if (type == Float.class) {
            zero = 0.0f;
        } else if (type == Short.class) {
            zero = (short) 0;
        } else if (type == Byte.class) {
            zero = (byte) 0;
        } else if (type == Boolean.class) {
            zero = false;
        }
        if (zero != null) {
            return type.cast(zero);
        }
        if (type.isInterface() || type.isArray() || type.isPrimitive() || Modifier.isAbstract(type.getModifiers())) {
            return null;
        }
        Constructor<T> constructor;
        try {
            constructor = type.getConstructor();
        } catch (NoSuchMethodException e) {
            return null;
        }
        try {
            constructor.setAccessible(true); // a public constructor of a non-public class
        } catch (RuntimeException e) {
            // not accessible: newInstance reports it
        }
        try {
            return constructor.newInstance();
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("The initial state of type " + type.getName() + " could not be created: "
                    + "its constructor threw " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("The initial state of type " + type.getName() + " could not be created: "
                    + e, e);
        }
    }
}
