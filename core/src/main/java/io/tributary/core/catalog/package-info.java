/**
 * The catalog file ({@code streams.json}): the streams a user selected and how each is synced, bound to
 * {@link io.tributary.types.ConfiguredStream}s.
 */
package io.tributary.core.catalog;
