package io.github.durablefunctions.azurestorage;

import io.github.durablefunctions.history.HistoryEvent;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Extended sessions: the state of each instance after its last successful checkpoint by this worker (execution ID,
 * every history event of that execution, and the sentinel's new ETag), so that its next episode replays from memory
 * instead of querying the History table (storage-layout.md §3.4). An entry is only a hint: the next checkpoint's
 * history write is conditional on its ETag, so a stale entry makes that write fail (409/412/404) instead of
 * overwriting what another writer committed; the caller then drops the entry.
 *
 * <p>Bounded by the total number of cached events: beyond {@code maxEvents}, the least recently used instances are
 * dropped. {@code maxEvents} 0 keeps nothing. Thread-safe.
 */
final class ExtendedSessionCache {

    /**
     * The state of an instance after a checkpoint.
     *
     * @param executionId the execution the events belong to
     * @param events      all history events of that execution, in order (immutable)
     * @param etag        the sentinel's ETag after the checkpoint
     */
    record Entry(String executionId, List<HistoryEvent> events, String etag) {
        Entry {
            events = List.copyOf(events);
        }
    }

    private final long maxEvents;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(64, 0.75f, true);
    private long cachedEvents;

    ExtendedSessionCache(long maxEvents) {
        this.maxEvents = Math.max(0, maxEvents);
    }

    /** The cached state of an instance, or null. */
    synchronized Entry get(String instanceId) {
        return entries.get(instanceId);
    }

    /** Caches an instance's state, replacing any older one, then drops least recently used instances over the bound. */
    synchronized void put(String instanceId, Entry entry) {
        remove(instanceId);
        if (entry.events().size() > maxEvents) {
            return;
        }
        entries.put(instanceId, entry);
        cachedEvents += entry.events().size();
        Iterator<Map.Entry<String, Entry>> eldest = entries.entrySet().iterator();
        while (cachedEvents > maxEvents && eldest.hasNext()) {
            cachedEvents -= eldest.next().getValue().events().size();
            eldest.remove();
        }
    }

    /** Drops an instance's state, if cached. */
    synchronized void evict(String instanceId) {
        remove(instanceId);
    }

    /** Drops the state of every instance whose ID matches. */
    synchronized void evictIf(Predicate<String> instanceIds) {
        Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Entry> e = it.next();
            if (instanceIds.test(e.getKey())) {
                cachedEvents -= e.getValue().events().size();
                it.remove();
            }
        }
    }

    /** Drops everything. */
    synchronized void clear() {
        entries.clear();
        cachedEvents = 0;
    }

    synchronized boolean contains(String instanceId) {
        return entries.containsKey(instanceId);
    }

    synchronized int size() {
        return entries.size();
    }

    private void remove(String instanceId) {
        Entry old = entries.remove(instanceId);
        if (old != null) {
            cachedEvents -= old.events().size();
        }
    }
}
