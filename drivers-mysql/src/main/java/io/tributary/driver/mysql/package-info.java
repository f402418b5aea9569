/** The mysql driver (placeholder until its issue lands). */
package io.tributary.driver.mysql;
