package io.github.keycloakreplica.credential;

import jakarta.ws.rs.core.Response;
import org.keycloak.services.ErrorResponseException;

/**
 * Refuses a credential change of a replicated person. An {@link ErrorResponseException}, so the admin and
 * account REST APIs answer with its status (409, or 400 / 503 from the write path) and the reason in {@code error_description} (a
 * {@code ModelException} would be a 500 on most of those paths), and the request's transaction rolls
 * back: nothing of the refused change is written.
 */
public final class CredentialChangeRefusedException extends ErrorResponseException {

    private static final long serialVersionUID = 1L;

    private final transient CredentialRefusal refusal;

    public CredentialChangeRefusedException(CredentialRefusal refusal) {
        super(refusal.error(), refusal.text(), Response.Status.fromStatusCode(refusal.httpStatus()));
        this.refusal = refusal;
    }

    /**
     * The text people read: Keycloak's update-password page shows an unexpected exception's message as the
     * form's error, so this is what a person sees when the authority refuses or does not answer.
     */
    @Override
    public String getMessage() {
        return refusal == null ? super.getMessage() : refusal.text();
    }

    public CredentialRefusal refusal() {
        return refusal;
    }
}
