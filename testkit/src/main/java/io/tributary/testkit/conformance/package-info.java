/**
 * The driver conformance suite: abstract tests a driver's test class extends, declaring what the driver supports;
 * a third-party driver runs the same suite.
 */
package io.tributary.testkit.conformance;
