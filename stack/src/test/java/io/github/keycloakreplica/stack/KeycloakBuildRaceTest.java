package io.github.keycloakreplica.stack;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class KeycloakBuildRaceTest {

    @Test
    void theBuildStepsRaceIsRecognisedFromTheStartLog() {
        String log = """
                ERROR: Failed to run 'start-dev' command.
                \t[error]: Build step io.quarkus.hibernate.orm.deployment.HibernateOrmProcessor#contributePersistenceXmlToJpaModel \
                threw an exception: java.util.ConcurrentModificationException
                """;
        assertThat(KeycloakBuildRace.failedWith(log)).isTrue();
    }

    @Test
    void anyOtherFailedStartIsNotRetried() {
        assertThat(KeycloakBuildRace.failedWith("ERROR: Failed to run 'start-dev' command.\nERROR: Port 8080 in use")).isFalse();
        assertThat(KeycloakBuildRace.failedWith("java.util.ConcurrentModificationException in a provider's postInit")).isFalse();
    }
}
