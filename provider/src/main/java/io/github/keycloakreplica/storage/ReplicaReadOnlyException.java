package io.github.keycloakreplica.storage;

import jakarta.ws.rs.core.Response;
import org.keycloak.services.ErrorResponseException;

/**
 * Refuses a change to a replicated user. An {@link ErrorResponseException} rather than Keycloak's
 * {@code ReadOnlyException}: the admin REST endpoints for role mappings and group membership replace a
 * {@code ReadOnlyException} with a generic text (or answer 500), while this one reaches the caller as a
 * 400 whose {@code error_description} names the upstream. It also marks the transaction rollback-only,
 * so nothing of the refused request is half-written.
 */
public final class ReplicaReadOnlyException extends ErrorResponseException {

    public static final String ERROR = "replica_read_only";

    private static final long serialVersionUID = 1L;

    public ReplicaReadOnlyException(String description) {
        super(ERROR, description, Response.Status.BAD_REQUEST);
    }
}
