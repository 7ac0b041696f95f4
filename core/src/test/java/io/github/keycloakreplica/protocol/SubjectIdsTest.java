package io.github.keycloakreplica.protocol;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SubjectIdsTest {

    @Test
    void keycloakIdsStayAsTheyAreSoSubIsTheSameEverywhere() {
        assertThat(SubjectIds.userId("5d1c9a4e-8f0e-4c61-9f5e-2f6a8c0d7b11")).isEqualTo("5d1c9a4e-8f0e-4c61-9f5e-2f6a8c0d7b11");
        assertThat(SubjectIds.userId("emp-00042")).isEqualTo("emp-00042");
    }

    @Test
    void whatKeycloakCannotHoldBecomesAStableNameBasedUuid() {
        String longSubject = "CN=Alice Example,OU=Engineering,DC=example,DC=com";
        String id = SubjectIds.userId(longSubject);

        assertThat(id).hasSize(36).isEqualTo(SubjectIds.userId(longSubject)).isNotEqualTo(SubjectIds.userId(longSubject + "x"));
        assertThat(SubjectIds.usableAsIs("f:component:external")).isFalse();
        assertThat(SubjectIds.usableAsIs("a".repeat(37))).isFalse();
        assertThat(SubjectIds.usableAsIs("has space")).isFalse();
        assertThat(SubjectIds.usableAsIs("")).isFalse();
    }

    @Test
    void credentialIdsAndSubjectIdsNeverCollide() {
        String raw = "x".repeat(40);
        assertThat(SubjectIds.credentialId(raw)).isNotEqualTo(SubjectIds.userId(raw));
    }
}
