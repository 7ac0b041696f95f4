package io.github.keycloakreplica.credential;

import org.keycloak.authentication.requiredactions.DeleteCredentialAction;
import org.keycloak.authentication.requiredactions.RecoveryAuthnCodesAction;
import org.keycloak.authentication.requiredactions.UpdatePassword;
import org.keycloak.authentication.requiredactions.UpdateTotp;
import org.keycloak.authentication.requiredactions.WebAuthnPasswordlessRegisterFactory;
import org.keycloak.authentication.requiredactions.WebAuthnRegisterFactory;

/** The built-in required actions that change credentials, each behind the credential gate. */
public final class GatedRequiredActions {

    private GatedRequiredActions() {
    }

    /** UPDATE_PASSWORD: the required action, the account console's "update password", forgotten password, execute-actions email. */
    public static final class UpdatePasswordAction extends GatedRequiredActionFactory {
        public UpdatePasswordAction() {
            super(new UpdatePassword());
        }
    }

    /** CONFIGURE_TOTP. */
    public static final class ConfigureTotpAction extends GatedRequiredActionFactory {
        public ConfigureTotpAction() {
            super(new UpdateTotp());
        }
    }

    /** webauthn-register: a security key as second factor. */
    public static final class WebAuthnRegisterAction extends GatedRequiredActionFactory {
        public WebAuthnRegisterAction() {
            super(new WebAuthnRegisterFactory());
        }
    }

    /** webauthn-register-passwordless: a passkey. */
    public static final class WebAuthnPasswordlessRegisterAction extends GatedRequiredActionFactory {
        public WebAuthnPasswordlessRegisterAction() {
            super(new WebAuthnPasswordlessRegisterFactory());
        }
    }

    /** CONFIGURE_RECOVERY_AUTHN_CODES. */
    public static final class RecoveryCodesAction extends GatedRequiredActionFactory {
        public RecoveryCodesAction() {
            super(new RecoveryAuthnCodesAction());
        }
    }

    /** delete_credential: removing a credential from the account console. */
    public static final class DeleteCredentialRequiredAction extends GatedRequiredActionFactory {
        public DeleteCredentialRequiredAction() {
            super(new DeleteCredentialAction());
        }
    }
}
