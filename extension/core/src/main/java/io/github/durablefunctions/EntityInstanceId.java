package io.github.durablefunctions;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;
import java.util.Objects;

/**
 * The identity of a durable entity: an entity name (lower-cased, so names are case-insensitive) and a key (kept as
 * given). Its string form is the entity's instance ID in the task hub, {@code @name@key} (storage-layout.md §9):
 * the name cannot contain {@code @}, the key can. Jackson reads and writes it as that string.
 */
public final class EntityInstanceId implements Comparable<EntityInstanceId> {
    private final String name;
    private final String key;

    /**
     * @param name the entity name; lower-cased with {@link Locale#ROOT}
     * @param key  the entity key
     * @throws IllegalArgumentException if the name or key is null or empty, or the name contains {@code @}
     */
    public EntityInstanceId(String name, String key) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("An entity name must not be empty");
        }
        if (name.indexOf('@') >= 0) {
            throw new IllegalArgumentException("An entity name must not contain '@': '" + name + "'");
        }
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("An entity key must not be empty");
        }
        this.name = name.toLowerCase(Locale.ROOT);
        this.key = key;
    }

    /**
     * Parses an entity instance ID {@code @name@key}: the name ends at the second {@code @}.
     *
     * @throws IllegalArgumentException if the string is not of that form
     */
    @JsonCreator
    public static EntityInstanceId fromString(String instanceId) {
        if (instanceId == null || instanceId.length() < 4 || instanceId.charAt(0) != '@') {
            throw new IllegalArgumentException("Not an entity instance ID (expected '@name@key'): '" + instanceId
                    + "'");
        }
        int at = instanceId.indexOf('@', 1);
        if (at < 0) {
            throw new IllegalArgumentException("Not an entity instance ID (expected '@name@key'): '" + instanceId
                    + "'");
        }
        return new EntityInstanceId(instanceId.substring(1, at), instanceId.substring(at + 1));
    }

    /** True if the instance ID is an entity's ({@code @name@key}); every ID starting with {@code @} is. */
    public static boolean isEntityInstanceId(String instanceId) {
        return instanceId != null && instanceId.startsWith("@");
    }

    /** The entity name, lower case. */
    public String getName() {
        return name;
    }

    /** The entity key. */
    public String getKey() {
        return key;
    }

    /** The instance ID {@code @name@key}. */
    @JsonValue
    @Override
    public String toString() {
        return "@" + name + "@" + key;
    }

    /** Orders by name, then key (ordinal string order): the order in which locks are acquired. */
    @Override
    public int compareTo(EntityInstanceId other) {
        int byName = name.compareTo(other.name);
        return byName != 0 ? byName : key.compareTo(other.key);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EntityInstanceId other && name.equals(other.name) && key.equals(other.key);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, key);
    }
}
