package io.github.keycloakreplica.stack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalOpenLdapTest {

    @Test
    void theLdifHasTheSuffixThePeopleContainerAndOnePersonPerUser() throws Exception {
        StringWriter ldif = new StringWriter();

        LocalOpenLdap.writeLdif(ldif, 3);

        List<String> entries = Arrays.asList(ldif.toString().split("\n\n"));
        assertThat(entries).extracting(entry -> entry.lines().findFirst().orElseThrow()).containsExactly(
                "dn: dc=bench,dc=example",
                "dn: ou=people,dc=bench,dc=example",
                "dn: uid=ldap-0,ou=people,dc=bench,dc=example",
                "dn: uid=ldap-1,ou=people,dc=bench,dc=example",
                "dn: uid=ldap-2,ou=people,dc=bench,dc=example");
        assertThat(entries.get(4)).contains("objectClass: inetOrgPerson\n", "uid: ldap-2\n", "sn: User 2\n",
                "mail: ldap-2@example.com");
    }

    @Test
    void aNegativeNumberOfUsersIsRefusedBeforeAnythingIsWritten(@TempDir Path dir) {
        assertThatThrownBy(() -> LocalOpenLdap.load(dir.resolve("ldap"), -1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(dir.resolve("ldap")).doesNotExist();
    }
}
