package io.github.keycloakreplica.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.github.keycloakreplica.stream.ReplicatedCredential;
import io.github.keycloakreplica.stream.VersionedValue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What an authority last published of one subject: for every attribute and every credential id it ever
 * published, the version it gave it and a fingerprint of the value (none once the attribute was removed or
 * the credential revoked). It is the authority's half of the stream contract: {@link #publish} compares a
 * person's state now with it and versions exactly what changed, each changed attribute or credential one
 * above its last version and nothing else, so versions never skip and never repeat however often the same
 * state is compared. Values themselves are not kept: a fingerprint is enough to tell a change, and the
 * database holding the ledger then holds no second copy of hashes or seeds.
 *
 * @param attributes  by attribute name
 * @param credentials by credential id
 */
public record PublishedLedger(Map<String, Published> attributes, Map<String, Published> credentials) {

    /**
     * One attribute's or credential's last published version; {@code fingerprint} null when it is absent now. A
     * credential's {@code type} is kept because its revocation names it; an attribute has none.
     */
    public record Published(long version, String fingerprint, String type) {

        public Published {
            if (version < 1) {
                throw new IllegalArgumentException("version must be positive, was " + version);
            }
        }

        public static Published attribute(long version, String fingerprint) {
            return new Published(version, fingerprint, null);
        }

        boolean present() {
            return fingerprint != null;
        }
    }

    /**
     * A credential as the authority stores it now, and the fingerprint of what counts as a change of it: sign-in
     * bookkeeping (an HOTP counter, a WebAuthn sign count) is left out by whoever makes it, or every sign-in would
     * be a new version at every replica.
     */
    public record CurrentCredential(String id, String type, String credentialData, String secretData, Long createdDate,
                                    String userLabel, String fingerprint) {

        public CurrentCredential {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(fingerprint, "fingerprint");
        }

        @Override
        public String toString() {
            return "CurrentCredential[id=" + id + ", type=" + type + ", secretData=<redacted>]";
        }
    }

    /**
     * What one comparison publishes. {@code deleted} says the person is gone: {@code tombstone} then holds every
     * attribute's next version. The snapshots are the subject's whole state after the change, for the compacted
     * topics, and are empty when nothing changed.
     */
    public record Publication(Map<String, VersionedValue> changedAttributes, boolean deleted, Map<String, Long> tombstone,
                              List<ReplicatedCredential> upsertedCredentials, Map<String, Revocation> revokedCredentials,
                              Map<String, VersionedValue> identitySnapshot, List<ReplicatedCredential> presentCredentials,
                              Map<String, Long> revokedVersions, PublishedLedger ledger) {

        public boolean identityChanged() {
            return deleted || !changedAttributes.isEmpty();
        }

        public boolean credentialsChanged() {
            return !upsertedCredentials.isEmpty() || !revokedCredentials.isEmpty();
        }

        public boolean isEmpty() {
            return !identityChanged() && !credentialsChanged();
        }
    }

    /** A credential that is gone, at the version its revocation takes. */
    public record Revocation(String type, long version) {
    }

    public static final PublishedLedger EMPTY = new PublishedLedger(Map.of(), Map.of());

    public PublishedLedger {
        attributes = Map.copyOf(attributes);
        credentials = Map.copyOf(credentials);
    }

    /** Whether anything of the subject was ever published and is not deleted now. */
    public boolean live() {
        return attributes.values().stream().anyMatch(Published::present);
    }

    /**
     * Compares a person's state now with what was last published and versions the difference.
     *
     * @param state       the person's attributes by name (reserved names as the stream has them), null when the person
     *                    no longer exists
     * @param credentials the person's stored credentials (ignored when {@code state} is null: a deleted person's
     *                    credentials are all revoked)
     */
    public Publication publish(Map<String, JsonNode> state, List<CurrentCredential> credentials) {
        Map<String, Published> nextAttributes = new TreeMap<>(attributes);
        Map<String, VersionedValue> changed = new LinkedHashMap<>();
        Map<String, Long> tombstone = new TreeMap<>();
        boolean deleted = state == null;
        Map<String, JsonNode> values = new TreeMap<>();
        if (deleted) {
            if (live()) {
                attributes.forEach((name, published) -> {
                    long next = published.version() + 1;
                    nextAttributes.put(name, Published.attribute(next, null));
                    tombstone.put(name, next);
                });
            }
        } else {
            values.putAll(state);
            attributes.forEach((name, published) -> values.putIfAbsent(name, null));
            values.replaceAll((name, value) -> value == null && isRoleOrGroupList(name) ? JsonNodeFactory.instance.arrayNode() : value);
            values.forEach((name, value) -> {
                String fingerprint = value == null || value.isNull() ? null : fingerprint(value.toString());
                Published last = attributes.get(name);
                if (last == null ? fingerprint != null : !Objects.equals(last.fingerprint(), fingerprint)) {
                    long next = last == null ? 1 : last.version() + 1;
                    nextAttributes.put(name, Published.attribute(next, fingerprint));
                    changed.put(name, new VersionedValue(value, next));
                }
            });
        }

        Map<String, Published> nextCredentials = new TreeMap<>(this.credentials);
        List<ReplicatedCredential> upserted = new ArrayList<>();
        List<ReplicatedCredential> present = new ArrayList<>();
        Map<String, CurrentCredential> current = new LinkedHashMap<>();
        if (!deleted) {
            credentials.forEach(c -> current.put(c.id(), c));
        }
        current.values().forEach(c -> {
            Published last = this.credentials.get(c.id());
            long version = last == null ? 1 : last.version();
            if (last == null || !c.fingerprint().equals(last.fingerprint())) {
                version = last == null ? 1 : last.version() + 1;
                nextCredentials.put(c.id(), new Published(version, c.fingerprint(), c.type()));
                upserted.add(replicated(c, version));
            }
            present.add(replicated(c, version));
        });
        Map<String, Revocation> revoked = new TreeMap<>();
        this.credentials.forEach((id, last) -> {
            if (last.present() && !current.containsKey(id)) {
                long next = last.version() + 1;
                nextCredentials.put(id, new Published(next, null, last.type()));
                revoked.put(id, new Revocation(last.type(), next));
            }
        });

        PublishedLedger next = new PublishedLedger(nextAttributes, nextCredentials);
        Map<String, VersionedValue> identitySnapshot = new TreeMap<>();
        nextAttributes.forEach((name, published) -> identitySnapshot.put(name,
                new VersionedValue(values.get(name), published.version())));
        Map<String, Long> revokedVersions = new TreeMap<>();
        nextCredentials.forEach((id, published) -> {
            if (!published.present()) {
                revokedVersions.put(id, published.version());
            }
        });
        return new Publication(changed, deleted && !tombstone.isEmpty(), tombstone, upserted, revoked, identitySnapshot, present,
                revokedVersions, next);
    }

    /**
     * Whether an attribute is a list of roles or groups, which the stream carries as an empty list, never as null,
     * once a person holds none (a client's roles, for instance, once the last one is revoked).
     */
    static boolean isRoleOrGroupList(String name) {
        return name.equals("realmRoles") || name.equals("groups") || name.startsWith("clientRoles.");
    }

    /** A value's fingerprint: SHA-256 of its text, so a ledger row holds no value, secret or not. */
    public static String fingerprint(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static ReplicatedCredential replicated(CurrentCredential c, long version) {
        return new ReplicatedCredential(c.id(), c.type(), version, c.credentialData(), c.secretData() == null ? "{}" : c.secretData(),
                c.createdDate(), c.userLabel());
    }
}
