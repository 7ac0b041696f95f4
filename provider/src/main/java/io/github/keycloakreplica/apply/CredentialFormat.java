package io.github.keycloakreplica.apply;

import io.github.keycloakreplica.stream.LogSafe;
import io.github.keycloakreplica.stream.ReplicatedCredential;
import org.keycloak.credential.CredentialModel;
import org.keycloak.credential.CredentialProvider;
import org.keycloak.credential.hash.PasswordHashProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.credential.PasswordCredentialModel;
import org.keycloak.provider.ProviderFactory;

import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks, before anything is written, that a replicated credential is one this Keycloak can verify:
 * a type some credential provider handles, a password hash algorithm it has, and the stored format and
 * bounds {@link CredentialSanity} checks. A credential that would make sign-in fail later, or cost
 * seconds of CPU per attempt, is refused now, with the reason. Messages never quote the data: it may
 * hold a hash or a seed.
 */
public final class CredentialFormat {

    private static final int MAX_SHOWN_TYPE_CHARS = 100;

    private final KeycloakSession session;
    private final CredentialSanity sanity;
    private Set<String> supportedTypes;

    public CredentialFormat(KeycloakSession session) {
        this(session, new CredentialSanity());
    }

    CredentialFormat(KeycloakSession session, CredentialSanity sanity) {
        this.session = session;
        this.sanity = sanity;
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

    /**
     * @throws EventRejectedException naming what this Keycloak could not verify, never the data
     */
    public void check(CredentialModel model) {
        String type = model.getType();
        if (!supportedTypes().contains(type)) {
            throw new EventRejectedException("credential type '" + LogSafe.escape(type, MAX_SHOWN_TYPE_CHARS)
                    + "' is not handled by any credential provider of this Keycloak (it handles "
                    + supportedTypes().stream().sorted().collect(Collectors.toList()) + ")");
        }
        sanity.check(model);
        if (PasswordCredentialModel.TYPE.equals(type)
                && session.getProvider(PasswordHashProvider.class, CredentialSanity.passwordAlgorithm(model)) == null) {
            throw new EventRejectedException("password credentialData.algorithm names no PasswordHashProvider of this Keycloak (it has "
                    + session.getKeycloakSessionFactory().getProviderFactoriesStream(PasswordHashProvider.class)
                    .map(ProviderFactory::getId).sorted().toList()
                    + "), so the password could never be verified here");
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
