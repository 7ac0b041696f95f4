package io.github.keycloakreplica.apply;

import io.github.keycloakreplica.stream.ReplicatedCredential;
import org.junit.jupiter.api.Test;
import org.keycloak.credential.CredentialModel;
import org.keycloak.models.jpa.entities.CredentialEntity;

import static org.assertj.core.api.Assertions.assertThat;

class StoredCredentialTest {

    private static final String DATA = "{\"algorithm\":\"pbkdf2-sha512\",\"hashIterations\":210000}";
    private static final String SECRET = "{\"value\":\"hash\",\"salt\":\"salt\"}";

    private static ReplicatedCredential replicated(String type, Long createdDate, String label) {
        return new ReplicatedCredential("c1", type, 1, DATA, SECRET, createdDate, label);
    }

    @Test
    void aCredentialWrittenFromTheLedgerMatchesIt() {
        StoredCredential stored = new StoredCredential("password", DATA, SECRET, 1000L, "mine");
        assertThat(stored.matches(replicated("password", 1000L, "mine"))).isTrue();
    }

    @Test
    void anyDifferenceTheUpstreamSentIsAMismatch() {
        StoredCredential stored = new StoredCredential("password", DATA, SECRET, 1000L, "mine");
        assertThat(stored.matches(replicated("otp", 1000L, "mine"))).isFalse();
        assertThat(stored.matches(replicated("password", 2000L, "mine"))).isFalse();
        assertThat(stored.matches(replicated("password", 1000L, "theirs"))).isFalse();
        assertThat(stored.matches(replicated("password", 1000L, null))).isFalse();
        assertThat(stored.matches(new ReplicatedCredential("c1", "password", 1, DATA, "{}", 1000L, "mine"))).isFalse();
        assertThat(stored.matches(new ReplicatedCredential("c1", "password", 1, "{}", SECRET, 1000L, "mine"))).isFalse();
    }

    @Test
    void withoutACreationDateFromTheUpstreamTheOneGivenHereStands() {
        StoredCredential stored = new StoredCredential("password", DATA, SECRET, 123_456L, null);
        assertThat(stored.matches(replicated("password", null, null))).isTrue();
    }

    @Test
    void theStoreAndThePrefetchedRowReadAlike() {
        CredentialModel model = new CredentialModel();
        model.setType("password");
        model.setCredentialData(DATA);
        model.setSecretData(SECRET);
        model.setCreatedDate(1000L);
        model.setUserLabel("mine");
        CredentialEntity entity = new CredentialEntity();
        entity.setType("password");
        entity.setCredentialData(DATA);
        entity.setSecretData(SECRET);
        entity.setCreatedDate(1000L);
        entity.setUserLabel("mine");
        assertThat(StoredCredential.of(model)).isEqualTo(StoredCredential.of(entity))
                .isEqualTo(new StoredCredential("password", DATA, SECRET, 1000L, "mine"));
    }
}
