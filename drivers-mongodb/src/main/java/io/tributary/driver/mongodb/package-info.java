/** The mongodb driver (placeholder until its issue lands). */
package io.tributary.driver.mongodb;
