package io.github.keycloakreplica.credential;

import jakarta.ws.rs.core.Response;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.authenticators.resetcred.ResetOTP;

import java.util.Optional;

/**
 * The forgotten-password flow's "Reset OTP" step, registered under its own id ({@code reset-otp}) with a
 * higher order so Keycloak uses it in place of the built-in: for a replicated person it asks the
 * {@link CredentialGate} before removing their OTP credentials, and shows the reason instead of the raw
 * 409 the refused removal would otherwise end in.
 */
public final class GatedResetOtp extends ResetOTP {

    @Override
    public int order() {
        return GatedRequiredActionFactory.ORDER;
    }

    @Override
    public void authenticate(AuthenticationFlowContext context) {
        if (!refused(context)) {
            super.authenticate(context);
        }
    }

    @Override
    public void action(AuthenticationFlowContext context) {
        if (!refused(context)) {
            try {
                super.action(context);
            } catch (CredentialChangeRefusedException e) {
                context.challenge(CredentialGate.refusalPage(context.form(), e.refusal()));
            }
        }
    }

    private static boolean refused(AuthenticationFlowContext context) {
        Optional<Response> page = CredentialGate.refusalPage(context.getSession(), context.getRealm(), context.getUser(),
                context::form, "remove", "otp");
        page.ifPresent(context::challenge);
        return page.isPresent();
    }
}
