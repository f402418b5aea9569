/** Runnable examples of embedding Tributary. */
package io.tributary.examples;
