/**
 * The model shared by every module: streams and their schemas, data types, sync modes, configured streams,
 * operation types, and the exception hierarchy rooted in {@link io.tributary.types.TributaryException}
 * (what a caller does about a failure). Depends on nothing of Tributary's.
 */
package io.tributary.types;
