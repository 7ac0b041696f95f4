/**
 * Sync operations as durable records: what an administrator or the schedule asked for (full, incremental,
 * targeted, orphan reconciliation), their state, scope, retry policy and the lag they report. The kafka
 * package's runner executes them; the admin resource and the console's sync buttons start them.
 *
 * <p>Uses: stream, protocol, link, store, apply.
 */
package io.github.keycloakreplica.sync;
