/**
 * The link to the upstream as a state machine: heartbeats and their watermarks go in ({@code LinkTick}),
 * CONNECTED, SEVERED or RECOVERING comes out ({@code LinkMonitor}, {@code LinkState}), with the thresholds of
 * {@code LinkPolicy} (severance threshold, stabilization window, drift window). The state decides whether a
 * credential change may be sent to the authority and what the sign-in pages say.
 *
 * <p>Uses: stream. No Keycloak type, no I/O: the clock is passed in.
 */
package io.github.keycloakreplica.link;
