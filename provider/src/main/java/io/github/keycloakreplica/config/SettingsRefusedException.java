package io.github.keycloakreplica.config;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.keycloak.component.ComponentValidationException;
import org.keycloak.representations.idm.ErrorRepresentation;
import org.keycloak.services.ErrorResponseException;

/**
 * A component's settings refused (a replica's, a primary realm's publisher's), answered 400 with the reason
 * wherever Keycloak saves the component.
 * Keycloak's {@link ComponentValidationException} is a 400 only on the component resource: the same
 * refusal met while a realm is created through admin REST or the admin console's realm file upload
 * escapes {@code POST /admin/realms} (which maps only its model exceptions) as a 500 "unknown_error".
 * An error response carries its own answer there too, the one the component resource gives (the message
 * as written, under {@code errorMessage}), and marks the transaction for rollback when it is answered, so
 * a refused realm import leaves no half-made realm. At a start-up import it stops the import with the
 * reason as its message.
 */
public final class SettingsRefusedException extends ErrorResponseException {

    private final String reason;

    public SettingsRefusedException(String reason) {
        super(Response.status(Response.Status.BAD_REQUEST).entity(body(reason)).type(MediaType.APPLICATION_JSON_TYPE).build());
        this.reason = reason;
    }

    private static ErrorRepresentation body(String reason) {
        ErrorRepresentation body = new ErrorRepresentation();
        body.setErrorMessage(reason);
        return body;
    }

    @Override
    public String getMessage() {
        return reason;
    }
}
