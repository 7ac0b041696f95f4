package io.github.keycloakreplica.storage;

import io.github.keycloakreplica.config.FullSyncPeriod;
import org.junit.jupiter.api.Test;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.storage.user.ImportSynchronization;

import static org.assertj.core.api.Assertions.assertThat;

class ReplicaUserStorageProviderFactoryTest {

    private final ReplicaUserStorageProviderFactory factory = new ReplicaUserStorageProviderFactory();

    @Test
    void theConsoleDrawsNoLdapSyncSwitchesButTheComponentsOwnPeriodicFullSync() {
        assertThat(factory.getTypeMetadata()).doesNotContainKey("synchronizable");
        // Keycloak's buttons and scheduler go by the interface, which stays.
        assertThat(factory).isInstanceOf(ImportSynchronization.class);

        ProviderConfigProperty period = factory.getConfigProperties().stream()
                .filter(p -> FullSyncPeriod.NAME.equals(p.getName())).findFirst().orElseThrow();
        assertThat(period.getHelpText()).contains("snapshot topics").doesNotContain("LDAP");
        assertThat(period.getDefaultValue()).isEqualTo("-1");
        assertThat(factory.getConfigProperties()).noneMatch(p -> "changedSyncPeriod".equals(p.getName()));
    }
}
