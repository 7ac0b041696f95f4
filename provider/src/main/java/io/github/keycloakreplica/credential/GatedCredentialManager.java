package io.github.keycloakreplica.credential;

import org.keycloak.credential.CredentialInput;
import org.keycloak.credential.CredentialModel;
import org.keycloak.models.SubjectCredentialManager;
import org.keycloak.models.UserModel;

import java.util.List;
import java.util.stream.Stream;

/**
 * A replicated user's credential manager as every Keycloak path outside the apply engine gets it: reads
 * and sign-in go through; every change of what credentials the person has (a new password or OTP, a
 * removal, a relabel or move, disabling a type) asks the {@link CredentialGate} first, and what the gate
 * lets through goes to the authority's write path ({@link UpstreamWrites}), never straight to the local
 * store. A new password goes the way Keycloak sends it, through the provider's
 * {@code CredentialInputUpdater}, which carries it upstream the same way. The order of credentials is
 * not part of the stream, so a move is refused even when connected.
 *
 * <p>{@link #updateStoredCredential} stays open: Keycloak uses it while signing in (a password re-hashed
 * to the realm's current algorithm, an HOTP counter, a WebAuthn signature count), and refusing it would
 * break sign-in. What it writes is bookkeeping of a credential the upstream already confirmed; the next
 * credential event from the upstream replaces it. A relabel, which Keycloak also does through it, is
 * refused in {@link #updateCredentialLabel}.
 */
public final class GatedCredentialManager implements SubjectCredentialManager {

    private final SubjectCredentialManager delegate;
    private final UserModel user;
    private final CredentialChangeCheck gate;
    private final UpstreamWrites upstream;
    private final Runnable refuseMove;

    /** @param refuseMove throws the refusal of a reorder (recording it); called once the gate let the move through */
    public GatedCredentialManager(SubjectCredentialManager delegate, UserModel user, CredentialChangeCheck gate, UpstreamWrites upstream,
                           Runnable refuseMove) {
        this.delegate = delegate;
        this.user = user;
        this.gate = gate;
        this.upstream = upstream;
        this.refuseMove = refuseMove;
    }

    @Override
    public boolean isValid(List<CredentialInput> inputs) {
        return delegate.isValid(inputs);
    }

    @Override
    public boolean updateCredential(CredentialInput input) {
        gate.enforce(user, "update", input.getType());
        return delegate.updateCredential(input);
    }

    @Override
    public void updateStoredCredential(CredentialModel cred) {
        delegate.updateStoredCredential(cred);
    }

    @Override
    public CredentialModel createStoredCredential(CredentialModel cred) {
        gate.enforce(user, "create", cred.getType());
        return upstream.create(user, cred, delegate::getStoredCredentialById);
    }

    @Override
    public boolean removeStoredCredentialById(String id) {
        gate.enforce(user, "remove", typeOf(id));
        upstream.remove(user, id);
        return true;
    }

    @Override
    public CredentialModel getStoredCredentialById(String id) {
        return delegate.getStoredCredentialById(id);
    }

    @Override
    public Stream<CredentialModel> getStoredCredentialsStream() {
        return delegate.getStoredCredentialsStream();
    }

    @Override
    public Stream<CredentialModel> getFederatedCredentialsStream() {
        return delegate.getFederatedCredentialsStream();
    }

    @Override
    public Stream<CredentialModel> getStoredCredentialsByTypeStream(String type) {
        return delegate.getStoredCredentialsByTypeStream(type);
    }

    @Override
    public CredentialModel getStoredCredentialByNameAndType(String name, String type) {
        return delegate.getStoredCredentialByNameAndType(name, type);
    }

    @Override
    public boolean moveStoredCredentialTo(String id, String newPreviousCredentialId) {
        gate.enforce(user, "move", typeOf(id));
        refuseMove.run();
        return false;
    }

    @Override
    public void updateCredentialLabel(String credentialId, String credentialLabel) {
        gate.enforce(user, "relabel", typeOf(credentialId));
        upstream.relabel(user, credentialId, credentialLabel);
    }

    @Override
    public void disableCredentialType(String credentialType) {
        gate.enforce(user, "disable", credentialType);
        // Keycloak's own disable removes each stored credential of the type; here each removal is the authority's.
        delegate.getStoredCredentialsByTypeStream(credentialType).map(CredentialModel::getId).toList()
                .forEach(id -> upstream.remove(user, id));
    }

    @Override
    public Stream<String> getDisableableCredentialTypesStream() {
        return delegate.getDisableableCredentialTypesStream();
    }

    @Override
    public Stream<CredentialModel> getFirstFactorCredentialsStream() {
        return delegate.getFirstFactorCredentialsStream();
    }

    @Override
    public boolean isConfiguredFor(String type) {
        return delegate.isConfiguredFor(type);
    }

    @Override
    public boolean isConfiguredLocally(String type) {
        return delegate.isConfiguredLocally(type);
    }

    @Override
    public Stream<String> getConfiguredUserStorageCredentialTypesStream() {
        return delegate.getConfiguredUserStorageCredentialTypesStream();
    }

    @Override
    public CredentialModel createCredentialThroughProvider(CredentialModel model) {
        gate.enforce(user, "create", model.getType());
        return upstream.create(user, model, delegate::getStoredCredentialById);
    }

    private String typeOf(String credentialId) {
        CredentialModel credential = delegate.getStoredCredentialById(credentialId);
        return credential == null ? null : credential.getType();
    }
}
