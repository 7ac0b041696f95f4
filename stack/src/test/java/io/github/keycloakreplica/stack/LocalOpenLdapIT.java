package io.github.keycloakreplica.stack;

import org.junit.jupiter.api.Test;

import javax.naming.Context;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attributes;
import javax.naming.directory.InitialDirContext;
import javax.naming.directory.SearchControls;
import javax.naming.directory.SearchResult;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A real slapd from the Debian packages: loaded, searched through the accessors Keycloak's federation uses, stopped. */
class LocalOpenLdapIT {

    private static final int USERS = 50;

    @Test
    void servesTheLoadedPeopleUntilClosed() throws Exception {
        Path dir = Stack.newRunDir().resolve("openldap");
        LocalOpenLdap ldap = LocalOpenLdap.load(dir, USERS);
        try {
            assertThat(ldap.isRunning()).isTrue();
            List<Attributes> people = searchPeople(ldap);
            assertThat(people).hasSize(USERS);
            List<String> uids = new ArrayList<>();
            for (Attributes person : people) {
                uids.add((String) person.get("uid").get());
                // Keycloak's federation looks imported users up by it; slapadd must have generated it.
                assertThat(person.get("entryUUID")).as("entryUUID of %s", person.get("uid")).isNotNull();
            }
            assertThat(uids).contains("ldap-0", "ldap-" + (USERS - 1)).doesNotHaveDuplicates();
        } finally {
            ldap.close();
        }

        assertThat(ldap.isRunning()).isFalse();
        assertThat(listens(ldap.port())).as("slapd still listens on %s after close()", ldap.url()).isFalse();
        assertThatThrownBy(() -> LocalOpenLdap.load(dir, 1))
                .as("a second load into a loaded directory would add to its entries")
                .isInstanceOf(StackException.class).hasMessageContaining("not empty");
    }

    /** As the root DN with the generated password: the bind itself checks the credential. */
    private static List<Attributes> searchPeople(LocalOpenLdap ldap) throws NamingException {
        Hashtable<String, String> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
        env.put(Context.PROVIDER_URL, ldap.url());
        env.put(Context.SECURITY_AUTHENTICATION, "simple");
        env.put(Context.SECURITY_PRINCIPAL, ldap.bindDn());
        env.put(Context.SECURITY_CREDENTIALS, ldap.bindCredential());
        env.put("com.sun.jndi.ldap.connect.timeout", "5000");
        env.put("com.sun.jndi.ldap.read.timeout", "10000");
        SearchControls controls = new SearchControls();
        controls.setSearchScope(SearchControls.ONELEVEL_SCOPE);
        controls.setReturningAttributes(new String[] {"uid", "entryUUID"});
        InitialDirContext context = new InitialDirContext(env);
        try {
            List<Attributes> found = new ArrayList<>();
            NamingEnumeration<SearchResult> results = context.search(ldap.usersDn(), "(objectClass=inetOrgPerson)", controls);
            while (results.hasMore()) {
                found.add(results.next().getAttributes());
            }
            return found;
        } finally {
            context.close();
        }
    }

    private static boolean listens(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(FreePorts.LOOPBACK, port), 2_000);
            return true;
        } catch (ConnectException e) {
            return false;
        }
    }
}
