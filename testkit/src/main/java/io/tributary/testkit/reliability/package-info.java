/**
 * Reliability trials shared by the drivers' tests: kill a sync at chosen points and check that the resumed run
 * loses and duplicates nothing.
 */
package io.tributary.testkit.reliability;
