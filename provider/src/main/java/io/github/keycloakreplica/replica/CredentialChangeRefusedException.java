package io.github.keycloakreplica.replica;

import jakarta.ws.rs.core.Response;
import org.keycloak.services.ErrorResponseException;

/**
 * Refuses a credential change of a replicated person. An {@link ErrorResponseException}, so the admin and
 * account REST APIs answer {@code 409} with the reason in {@code error_description} (a
 * {@code ModelException} would be a 500 on most of those paths), and the request's transaction rolls
 * back: nothing of the refused change is written.
 */
public final class CredentialChangeRefusedException extends ErrorResponseException {

    private static final long serialVersionUID = 1L;

    private final transient CredentialRefusal refusal;

    public CredentialChangeRefusedException(CredentialRefusal refusal) {
        super(refusal.error(), refusal.text(), Response.Status.CONFLICT);
        this.refusal = refusal;
    }

    public CredentialRefusal refusal() {
        return refusal;
    }
}
