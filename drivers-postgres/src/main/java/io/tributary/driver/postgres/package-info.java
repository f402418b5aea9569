/** The postgres driver (placeholder until its issue lands). */
package io.tributary.driver.postgres;
