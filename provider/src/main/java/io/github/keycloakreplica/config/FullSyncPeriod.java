package io.github.keycloakreplica.config;

import io.github.keycloakreplica.stream.LogSafe;
import org.keycloak.storage.UserStorageProviderModel;

import java.util.Optional;

/**
 * Keycloak's own periodic full sync setting, as the replica component's form offers it. Keycloak's console
 * shows it as a switch with a help text about LDAP; the component describes it itself (see
 * {@link ReplicaConfigProperties}), as a field an administrator types into, so the value is checked here:
 * Keycloak reads it with {@link Integer#parseInt}, and a blank or a word would fail every later read of
 * the component's sync settings.
 */
public final class FullSyncPeriod {

    /** Keycloak's name of the setting, which its sync scheduler reads. */
    public static final String NAME = UserStorageProviderModel.FULL_SYNC_PERIOD;
    /** Keycloak's value for "no periodic full sync". */
    public static final String NONE = "-1";

    private FullSyncPeriod() {
    }

    /** The value to store: trimmed, and a blank field is no periodic sync. */
    public static String normalized(String value) {
        return value == null || value.isBlank() ? NONE : value.trim();
    }

    /** What is wrong with the value, in words an administrator can act on; empty when Keycloak can use it. */
    public static Optional<String> problem(String value) {
        String normalized = normalized(value);
        try {
            if (Integer.parseInt(normalized) >= -1) {
                return Optional.empty();
            }
        } catch (NumberFormatException e) {
            // said below, with the value as typed
        }
        return Optional.of("Periodic full sync must be a whole number of seconds, or -1 for none; was '"
                + LogSafe.escape(normalized, 40) + "'.");
    }
}
