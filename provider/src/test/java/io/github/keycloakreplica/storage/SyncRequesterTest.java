package io.github.keycloakreplica.storage;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SyncRequesterTest {

    @Test
    void anAdministratorIsRecordedByUsernameAsTheAdminApiRecordsItsOperators() {
        SyncRequester requester = SyncRequester.administrator("alice", "0b7c4c1e-8a2f-4c0a-9d0e-1f2a3b4c5d6e", "master");

        assertThat(requester.requestedBy()).isEqualTo("alice");
        assertThat(requester.reason()).isEqualTo("Keycloak \"Sync all users\", signed in as user 0b7c4c1e-8a2f-4c0a-9d0e-1f2a3b4c5d6e of realm master");
    }

    @Test
    void withoutAVerifiedAdministratorTheRecordSaysSoInsteadOfNamingTheButton() {
        assertThat(SyncRequester.unknownAdministrator().requestedBy()).isEqualTo("Keycloak \"Sync all users\" (administrator unknown)");
        assertThat(SyncRequester.unknownAdministrator().reason()).isNull();
        assertThat(SyncRequester.periodic().requestedBy()).isEqualTo("Keycloak periodic full sync");
    }
}
