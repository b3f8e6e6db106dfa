/**
 * The entity protocol of the Durable Task Framework (storage-layout.md §9): the JSON of request, response and
 * release messages, the scheduler state an entity keeps in its instance input, its custom status, the message sorter
 * that delivers requests in order per sender, and the entity executor that runs a batch of operations.
 *
 * <p>Entity JSON is Newtonsoft JSON without {@code $type}: the member names are the ones of the DTFx data contracts,
 * members with default values are left out, date-times are ISO-8601 UTC with up to seven fractional digits.
 */
package io.github.durablefunctions.entities;
