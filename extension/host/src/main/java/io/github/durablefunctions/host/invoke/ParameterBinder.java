package io.github.durablefunctions.host.invoke;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.CustomBinding;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import io.github.durablefunctions.DataConverter;
import io.github.durablefunctions.TaskEntityOperation;
import io.github.durablefunctions.TaskOrchestrationContext;
import io.github.durablefunctions.azurefunctions.ActivityTrigger;
import io.github.durablefunctions.azurefunctions.DurableClientContext;
import io.github.durablefunctions.azurefunctions.DurableClientInput;
import io.github.durablefunctions.azurefunctions.EntityTrigger;
import io.github.durablefunctions.azurefunctions.OrchestrationTrigger;
import io.github.durablefunctions.host.app.BindingDefinition;
import io.github.durablefunctions.host.app.FunctionDefinition;

import java.lang.annotation.Annotation;
import java.lang.reflect.Array;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Decides, once per function, where each parameter of its method comes from, and fills the arguments of each
 * invocation from an {@link Invocation}:
 * <ul>
 *   <li>{@code @HttpTrigger}: an {@link HttpRequestMessage}{@code <T>} whose body is converted to {@code T}
 *       ({@code String}, {@code Optional<...>}, {@code byte[]}, or any type read from JSON with the data converter;
 *       an empty body is null / {@code Optional.empty()}); a parameter of another type receives the body itself;</li>
 *   <li>{@code @BindingName("x")}: the route value {@code x} (else the query parameter {@code x}), converted to the
 *       parameter's type;</li>
 *   <li>{@code @DurableClientInput}: a {@link DurableClientContext} ({@link DurableClientFactory});</li>
 *   <li>{@code @OrchestrationTrigger}: the {@link TaskOrchestrationContext};</li>
 *   <li>{@code @ActivityTrigger}: the activity input, deserialized into the parameter's generic type; input that
 *       does not fit throws {@link DataConverter.DataConverterException} naming the function, the parameter, its
 *       type and the cause, so the activity fails with those details and the orchestration sees them in its
 *       {@code TaskFailedException};</li>
 *   <li>{@code @EntityTrigger}: the {@link TaskEntityOperation} being run (its name, input, the entity's state and
 *       context); the parameter must be of that type (or a supertype such as {@code Object});</li>
 *   <li>an {@link ExecutionContext} parameter: the invocation's {@link ExecutionContextImpl}.</li>
 * </ul>
 * Anything else (other bindings such as queue or blob, unannotated parameters) makes the function unsupported:
 * {@link #create} says which parameter and why.
 */
public final class ParameterBinder {
    private static final ObjectMapper SCALARS = new ObjectMapper();

    /** Produces one argument from an invocation. */
    @FunctionalInterface
    private interface ArgumentSource {
        Object resolve(Invocation invocation);
    }

    private final List<ArgumentSource> sources;

    private ParameterBinder(List<ArgumentSource> sources) {
        this.sources = List.copyOf(sources);
    }

    /**
     * Plans the binding of a function's parameters.
     *
     * @param function      the function
     * @param dataConverter converts JSON request bodies and activity inputs
     * @param clients       makes durable client contexts
     * @throws UnsupportedFunctionException naming the parameter that cannot be bound and why
     */
    public static ParameterBinder create(FunctionDefinition function, DataConverter dataConverter,
                                         DurableClientFactory clients) throws UnsupportedFunctionException {
        List<ArgumentSource> sources = new ArrayList<>();
        Parameter[] parameters = function.method().getParameters();
        for (int i = 0; i < parameters.length; i++) {
            sources.add(sourceFor(function, parameters[i], i, dataConverter, clients));
        }
        return new ParameterBinder(sources);
    }

    /**
     * The arguments of one invocation, in parameter order.
     *
     * @throws BindingException if an input cannot be converted to its parameter's type
     */
    public Object[] bind(Invocation invocation) {
        Object[] args = new Object[sources.size()];
        for (int i = 0; i < args.length; i++) {
            args[i] = sources.get(i).resolve(invocation);
        }
        return args;
    }

    private static ArgumentSource sourceFor(FunctionDefinition function, Parameter p, int index,
                                            DataConverter dataConverter, DurableClientFactory clients)
            throws UnsupportedFunctionException {
        String where = "Function '" + function.name() + "': parameter " + (index + 1) + " ('" + p.getName() + "', "
                + p.getParameterizedType().getTypeName() + ")";
        Class<?> type = p.getType();

        if (p.isAnnotationPresent(HttpTrigger.class)) {
            requireTrigger(function, BindingDefinition.HTTP_TRIGGER, where, "@HttpTrigger");
            if (type == HttpRequestMessage.class) {
                BodyConverter body = bodyConverter(typeArgument(p.getParameterizedType()), dataConverter);
                return inv -> {
                    HttpRequestData request = inv.request().orElseThrow();
                    return new HttpRequestMessageImpl<>(request, body.convert(request));
                };
            }
            BodyConverter body = bodyConverter(p.getParameterizedType(), dataConverter);
            return inv -> primitiveDefault(body.convert(inv.request().orElseThrow()), type);
        }
        BindingName bindingName = p.getAnnotation(BindingName.class);
        if (bindingName != null) {
            String name = bindingName.value();
            Type target = p.getParameterizedType();
            return inv -> convertScalar(inv.bindingData(name), target, type, "route value '" + name + "'");
        }
        DurableClientInput clientInput = p.getAnnotation(DurableClientInput.class);
        if (clientInput != null) {
            if (type != DurableClientContext.class) {
                throw new UnsupportedFunctionException(where + ": a @DurableClientInput parameter must be of type "
                        + DurableClientContext.class.getName());
            }
            BindingDefinition binding = function.bindingNamed(clientInput.name())
                    .filter(b -> b.is(BindingDefinition.DURABLE_CLIENT))
                    .or(() -> function.binding(BindingDefinition.DURABLE_CLIENT))
                    .orElseThrow(() -> new UnsupportedFunctionException(where + ": function.json has no"
                            + " durableClient binding for this @DurableClientInput parameter"));
            Supplier<DurableClientContext> supplier = clients.forBinding(function.name(), binding);
            return inv -> supplier.get();
        }
        if (p.isAnnotationPresent(OrchestrationTrigger.class)) {
            requireTrigger(function, BindingDefinition.ORCHESTRATION_TRIGGER, where, "@OrchestrationTrigger");
            if (!type.isAssignableFrom(TaskOrchestrationContext.class)) {
                throw new UnsupportedFunctionException(where + ": an @OrchestrationTrigger parameter must be of type "
                        + TaskOrchestrationContext.class.getName());
            }
            return inv -> inv.orchestrationContext().orElseThrow();
        }
        if (p.isAnnotationPresent(ActivityTrigger.class)) {
            requireTrigger(function, BindingDefinition.ACTIVITY_TRIGGER, where, "@ActivityTrigger");
            Type target = p.getParameterizedType();
            return inv -> {
                try {
                    return primitiveDefault(inv.activityContext().orElseThrow().getInput(target), type);
                } catch (DataConverter.DataConverterException e) {
                    throw new DataConverter.DataConverterException(where + ": the activity input cannot be"
                            + " deserialized into " + target.getTypeName() + ": " + e.getMessage(), e);
                }
            };
        }
        if (p.isAnnotationPresent(EntityTrigger.class)) {
            requireTrigger(function, BindingDefinition.ENTITY_TRIGGER, where, "@EntityTrigger");
            if (!type.isAssignableFrom(TaskEntityOperation.class)) {
                throw new UnsupportedFunctionException(where + ": an @EntityTrigger parameter must be of type "
                        + TaskEntityOperation.class.getName() + " (the operation to run; for a class-style entity"
                        + " return new MyEntity().run(operation))");
            }
            return inv -> inv.entityOperation().orElseThrow();
        }
        if (type == ExecutionContext.class) {
            return Invocation::executionContext;
        }
        for (Annotation a : p.getAnnotations()) {
            if (isBindingAnnotation(a)) {
                throw new UnsupportedFunctionException(where + ": binding @" + a.annotationType().getSimpleName()
                        + " is not supported by this host (supported: @HttpTrigger, @BindingName,"
                        + " @DurableClientInput, @OrchestrationTrigger, @ActivityTrigger, @EntityTrigger,"
                        + " ExecutionContext)");
            }
        }
        throw new UnsupportedFunctionException(where + " has no binding annotation and is not an ExecutionContext,"
                + " so the host cannot supply it");
    }

    private static void requireTrigger(FunctionDefinition function, String triggerType, String where,
                                       String annotation) throws UnsupportedFunctionException {
        if (function.trigger().filter(t -> t.is(triggerType)).isEmpty()) {
            throw new UnsupportedFunctionException(where + " is annotated " + annotation + ", but the function's"
                    + " trigger in function.json is " + function.triggerType() + ", not " + triggerType);
        }
    }

    private static boolean isBindingAnnotation(Annotation a) {
        Class<? extends Annotation> t = a.annotationType();
        return t.isAnnotationPresent(CustomBinding.class)
                || t.getPackageName().equals(HttpTrigger.class.getPackageName());
    }

    /** Converts the raw request into a body value of one declared type. */
    @FunctionalInterface
    private interface BodyConverter {
        Object convert(HttpRequestData request);
    }

    private static BodyConverter bodyConverter(Type declared, DataConverter dataConverter) {
        Class<?> raw = rawClass(declared);
        if (raw == Optional.class) {
            BodyConverter inner = bodyConverter(typeArgument(declared), dataConverter);
            return request -> Optional.ofNullable(inner.convert(request));
        }
        if (raw == String.class || raw == Object.class) {
            return request -> request.body().length == 0 ? null : request.bodyText();
        }
        if (raw == byte[].class) {
            return request -> request.body().length == 0 ? null : request.body();
        }
        return request -> {
            if (request.body().length == 0) {
                return null;
            }
            try {
                return dataConverter.deserialize(request.bodyText(), declared);
            } catch (DataConverter.DataConverterException e) {
                throw new BindingException("The request body does not fit " + declared.getTypeName() + ": "
                        + e.getMessage(), e);
            }
        };
    }

    private static Object convertScalar(String value, Type target, Class<?> raw, String what) {
        if (value == null) {
            return primitiveDefault(null, raw);
        }
        if (raw == String.class || raw == Object.class) {
            return value;
        }
        try {
            return SCALARS.convertValue(value, SCALARS.constructType(target));
        } catch (IllegalArgumentException e) {
            throw new BindingException("The " + what + " '" + value + "' is not a valid " + target.getTypeName(), e);
        }
    }

    /** Null for reference types; the zero value for primitives (which cannot take null). */
    private static Object primitiveDefault(Object value, Class<?> type) {
        if (value == null && type.isPrimitive()) {
            return Array.get(Array.newInstance(type, 1), 0);
        }
        return value;
    }

    /** The first type argument of a parameterized type; {@code Object} for raw or wildcard types. */
    private static Type typeArgument(Type type) {
        if (type instanceof ParameterizedType pt && pt.getActualTypeArguments().length > 0) {
            Type arg = pt.getActualTypeArguments()[0];
            return arg instanceof Class<?> || arg instanceof ParameterizedType || arg instanceof GenericArrayType
                    ? arg : Object.class;
        }
        return Object.class;
    }

    private static Class<?> rawClass(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType pt && pt.getRawType() instanceof Class<?> c) {
            return c;
        }
        if (type instanceof GenericArrayType) {
            return Object[].class;
        }
        return Object.class;
    }
}
