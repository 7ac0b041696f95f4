package io.github.keycloakreplica.stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class EmailAddressTest {

    @ParameterizedTest
    @ValueSource(strings = {"alice@example.com", "a.b+tag@sub.example.co.uk", "bob@ops.acme.internal", "root@localhost", "jöran@exämple.de",
            "\"a b\"@example.com", "x@[192.0.2.1]", "x@[IPv6:2001:db8::1]", "o'brien@example.ie", "user@xn--bcher-kva.example"})
    void acceptsWhatKeycloakAccepts(String address) {
        assertThat(EmailAddress.isValid(address)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not an address", "@example.com", "alice@", "alice", "a..b@example.com", ".a@example.com", "a.@example.com",
            "alice@-example.com", "alice@example-.com", "alice@exa_mple.com", "alice@example..com", "alice@[300.1.1.1]", "a\nb@example.com",
            "alice@example.com\u0000", "a@b@c"})
    void refusesWhatIsNoAddress(String address) {
        assertThat(EmailAddress.isValid(address)).isFalse();
    }

    @Test
    void boundsTheLocalPartAsKeycloakDoesAndTheWholeAsRfc5321Does() {
        assertThat(EmailAddress.isValid("l".repeat(64) + "@example.com")).isTrue();
        assertThat(EmailAddress.isValid("l".repeat(65) + "@example.com")).isFalse();
        assertThat(EmailAddress.isValid("a@" + "d".repeat(63) + "." + "e".repeat(63) + "." + "f".repeat(63) + "." + "g".repeat(57))).isTrue();
        assertThat(EmailAddress.isValid("a@" + "d".repeat(64) + ".com")).isFalse();
        assertThat(EmailAddress.isValid("a@" + "d".repeat(63) + "." + "e".repeat(63) + "." + "f".repeat(63) + "." + "g".repeat(62))).isFalse();
    }
}
