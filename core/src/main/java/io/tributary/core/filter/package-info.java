/**
 * The stream filter ({@code filter} in the catalog): its parser and its evaluation on positional rows, applied
 * by the engine to changes and rendered by drivers for their reads.
 */
package io.tributary.core.filter;
