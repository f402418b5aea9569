/** Shared test fixtures (database servers started by tests) and, later, the driver conformance suite. */
package io.tributary.testkit;
