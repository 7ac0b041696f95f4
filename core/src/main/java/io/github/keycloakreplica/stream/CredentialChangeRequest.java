package io.github.keycloakreplica.stream;

import java.util.Objects;
import java.util.UUID;

/**
 * A credential change a replica asks the authority to make: what it sends over the authoritative write
 * path. The replica stores nothing of it; the authority's answer is the credential events it published,
 * and those are what the replica applies. {@code password} and {@code credential.secretData} are secrets:
 * they never appear in {@link #toString()}, logs or errors.
 *
 * @param id         unique per request, the authority's idempotency key
 * @param site       the replica site asking (its consumer group)
 * @param password   {@link Change#SET_PASSWORD} only: the new password as typed
 * @param credential the credential concerned: a draft without id to create, or an id, type and the version the
 *                   replica holds to remove or relabel
 */
public record CredentialChangeRequest(String id, String site, String subject, Change change, String password, Draft credential) {

    /** The changes a replica can ask for; everything else Keycloak offers maps onto these. */
    public enum Change {
        SET_PASSWORD("password.set"),
        CREATE("credential.create"),
        REMOVE("credential.remove"),
        RELABEL("credential.relabel");

        private final String value;

        Change(String value) {
            this.value = value;
        }

        public String value() {
            return value;
        }

        public static Change of(String value) {
            for (Change change : values()) {
                if (change.value.equals(value)) {
                    return change;
                }
            }
            throw new IllegalArgumentException("unknown change '" + value + "'");
        }
    }

    /**
     * A credential as the request names it. {@code id} and {@code version} are null for a new one;
     * {@code credentialData} and {@code secretData} are null except for a new one.
     */
    public record Draft(String id, String type, Long version, String userLabel, String credentialData, String secretData) {

        @Override
        public String toString() {
            return "Draft[id=" + id + ", type=" + type + ", version=" + version + ", userLabel=" + userLabel
                    + (secretData == null ? "" : ", secretData=<redacted>") + "]";
        }
    }

    public CredentialChangeRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(site, "site");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(change, "change");
        if ((change == Change.SET_PASSWORD) != (password != null)) {
            throw new IllegalArgumentException(change.value() + (password == null ? " needs" : " takes no") + " password");
        }
        if ((change == Change.SET_PASSWORD) != (credential == null)) {
            throw new IllegalArgumentException(change.value() + (credential == null ? " needs" : " takes no") + " credential");
        }
    }

    public static CredentialChangeRequest setPassword(String site, String subject, String password) {
        return new CredentialChangeRequest(newId(), site, subject, Change.SET_PASSWORD, Objects.requireNonNull(password, "password"), null);
    }

    public static CredentialChangeRequest create(String site, String subject, String type, String userLabel, String credentialData,
                                                 String secretData) {
        return new CredentialChangeRequest(newId(), site, subject, Change.CREATE, null,
                new Draft(null, type, null, userLabel, credentialData, secretData));
    }

    public static CredentialChangeRequest remove(String site, String subject, String credentialId, String type, long version) {
        return new CredentialChangeRequest(newId(), site, subject, Change.REMOVE, null, new Draft(credentialId, type, version, null, null, null));
    }

    public static CredentialChangeRequest relabel(String site, String subject, String credentialId, String type, long version, String userLabel) {
        return new CredentialChangeRequest(newId(), site, subject, Change.RELABEL, null,
                new Draft(credentialId, type, version, userLabel, null, null));
    }

    private static String newId() {
        return UUID.randomUUID().toString();
    }

    @Override
    public String toString() {
        return "CredentialChangeRequest[id=" + id + ", site=" + site + ", subject=" + subject + ", change=" + change.value()
                + (password == null ? "" : ", password=<redacted>") + (credential == null ? "" : ", credential=" + credential) + "]";
    }
}
