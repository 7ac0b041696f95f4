package io.github.keycloakreplica.sync;

import io.github.keycloakreplica.stream.ReplicatedCredential;
import org.keycloak.credential.CredentialModel;
import org.keycloak.credential.CredentialProvider;
import org.keycloak.credential.hash.PasswordHashProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.credential.OTPCredentialModel;
import org.keycloak.models.credential.PasswordCredentialModel;
import org.keycloak.models.credential.dto.OTPCredentialData;
import org.keycloak.models.credential.dto.PasswordCredentialData;
import org.keycloak.provider.ProviderFactory;

import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks, before anything is written, that a replicated credential is one this Keycloak can verify:
 * a type some credential provider handles, and for passwords and OTP the stored format Keycloak's own
 * validators read. A credential that would make sign-in fail later is refused now, with the reason.
 * Messages never quote the data: it may hold a hash or a seed.
 */
final class CredentialFormat {

    private static final Set<String> OTP_ALGORITHMS = Set.of("HmacSHA1", "HmacSHA256", "HmacSHA512");

    private final KeycloakSession session;
    private Set<String> supportedTypes;

    CredentialFormat(KeycloakSession session) {
        this.session = session;
    }

    CredentialModel toModel(ReplicatedCredential credential, String keycloakId) {
        CredentialModel model = new CredentialModel();
        model.setId(keycloakId);
        model.setType(credential.type());
        model.setCredentialData(credential.credentialData());
        model.setSecretData(credential.secretData());
        model.setCreatedDate(credential.createdDate() == null ? System.currentTimeMillis() : credential.createdDate());
        model.setUserLabel(credential.userLabel());
        return model;
    }

    void check(CredentialModel model) {
        String type = model.getType();
        if (!supportedTypes().contains(type)) {
            throw new EventRejectedException("credential type '" + type + "' is not handled by any credential provider of this Keycloak "
                    + "(it handles " + supportedTypes().stream().sorted().collect(Collectors.toList()) + ")");
        }
        if (PasswordCredentialModel.TYPE.equals(type)) {
            checkPassword(model);
        } else if (OTPCredentialModel.TYPE.equals(type)) {
            checkOtp(model);
        }
    }

    private void checkPassword(CredentialModel model) {
        PasswordCredentialModel password;
        try {
            password = PasswordCredentialModel.createFromCredentialModel(model);
        } catch (RuntimeException e) {
            throw new EventRejectedException("password credential is not in Keycloak's stored format (credentialData or secretData do not parse)");
        }
        PasswordCredentialData data = password.getPasswordCredentialData();
        if (data == null || data.getAlgorithm() == null || password.getPasswordSecretData() == null
                || password.getPasswordSecretData().getValue() == null) {
            throw new EventRejectedException("password credential lacks credentialData.algorithm or secretData.value");
        }
        if (session.getProvider(PasswordHashProvider.class, data.getAlgorithm()) == null) {
            throw new EventRejectedException("password hash algorithm '" + data.getAlgorithm()
                    + "' has no PasswordHashProvider in this Keycloak, so the password could never be verified here");
        }
    }

    private void checkOtp(CredentialModel model) {
        OTPCredentialModel otp;
        try {
            otp = OTPCredentialModel.createFromCredentialModel(model);
        } catch (RuntimeException e) {
            throw new EventRejectedException("otp credential is not in Keycloak's stored format (credentialData or secretData do not parse)");
        }
        OTPCredentialData data = otp.getOTPCredentialData();
        if (data == null || otp.getOTPSecretData() == null || otp.getOTPSecretData().getValue() == null) {
            throw new EventRejectedException("otp credential lacks credentialData or secretData.value");
        }
        if (!OTPCredentialModel.TOTP.equals(data.getSubType()) && !OTPCredentialModel.HOTP.equals(data.getSubType())) {
            throw new EventRejectedException("otp credentialData.subType must be totp or hotp, was '" + data.getSubType() + "'");
        }
        if (!OTP_ALGORITHMS.contains(data.getAlgorithm())) {
            throw new EventRejectedException("otp credentialData.algorithm must be one of " + OTP_ALGORITHMS + ", was '" + data.getAlgorithm() + "'");
        }
        if (data.getDigits() < 6 || data.getDigits() > 8 || (OTPCredentialModel.TOTP.equals(data.getSubType()) && data.getPeriod() <= 0)) {
            throw new EventRejectedException("otp credentialData needs 6 to 8 digits and, for totp, a positive period");
        }
    }

    private Set<String> supportedTypes() {
        if (supportedTypes == null) {
            supportedTypes = session.getKeycloakSessionFactory().getProviderFactoriesStream(CredentialProvider.class)
                    .map(ProviderFactory::getId)
                    .map(id -> session.getProvider(CredentialProvider.class, id))
                    .map(provider -> ((CredentialProvider<?>) provider).getType())
                    .collect(Collectors.toSet());
        }
        return supportedTypes;
    }
}
