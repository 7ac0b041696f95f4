package io.github.keycloakreplica.kafka;

import io.github.keycloakreplica.config.ReplicaConfig;
import org.junit.jupiter.api.Test;
import org.keycloak.component.ComponentModel;

import static org.assertj.core.api.Assertions.assertThat;

final class ReplicaRuntimeFingerprintTest {

    private static ComponentModel component() {
        ComponentModel component = new ComponentModel();
        component.setId("c1");
        component.setName("upstream");
        component.put(ReplicaConfig.BOOTSTRAP_SERVERS, "127.0.0.1:9092");
        component.put(ReplicaConfig.TOPIC_PREFIX, "acme");
        return component;
    }

    @Test
    void settingTheWritePathLeavesTheConsumerAndTheLinkRunning() {
        ComponentModel withWritePath = component();
        withWritePath.put(ReplicaConfig.WRITE_PATH_URL, "https://hq.example.com/realms/acme/replica-write-path/credentials");
        withWritePath.put(ReplicaConfig.WRITE_PATH_CLIENT_ID, "replica-site-1");
        withWritePath.put(ReplicaConfig.WRITE_PATH_CLIENT_SECRET, "s3cret");
        withWritePath.put(ReplicaConfig.WRITE_PATH_TIMEOUT, "20");

        assertThat(ReplicaRuntime.fingerprint("acme", withWritePath)).isEqualTo(ReplicaRuntime.fingerprint("acme", component()));
    }

    @Test
    void anyOtherSettingRestartsThem() {
        ComponentModel otherBroker = component();
        otherBroker.put(ReplicaConfig.BOOTSTRAP_SERVERS, "127.0.0.1:9093");

        assertThat(ReplicaRuntime.fingerprint("acme", otherBroker)).isNotEqualTo(ReplicaRuntime.fingerprint("acme", component()));
        assertThat(ReplicaRuntime.fingerprint("other", component())).isNotEqualTo(ReplicaRuntime.fingerprint("acme", component()));
    }
}
