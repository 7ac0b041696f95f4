package io.github.keycloakreplica.apply;

import io.github.keycloakreplica.protocol.AttributeName;
import io.github.keycloakreplica.protocol.Fact;
import org.keycloak.models.UserModel;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How a user's own columns compare with its ledger, read the way Keycloak stores them (usernames and
 * emails in lower case, an empty name as none, enabled unless said otherwise), so that a user that is
 * right is never taken for one that drifted.
 */
final class UserProjection {

    /** The columns Keycloak also lists among a user's attributes (UserModel.getAttributes). */
    static final Set<String> COLUMNS = Set.of(UserModel.USERNAME, UserModel.EMAIL, UserModel.FIRST_NAME, UserModel.LAST_NAME);

    private static final List<AttributeName.Kind> COLUMN_KINDS = List.of(AttributeName.Kind.USERNAME, AttributeName.Kind.EMAIL,
            AttributeName.Kind.EMAIL_VERIFIED, AttributeName.Kind.FIRST_NAME, AttributeName.Kind.LAST_NAME, AttributeName.Kind.ENABLED);

    private UserProjection() {
    }

    /**
     * The column facts the user does not match, to be written. A column the ledger has no fact for is
     * compared with its absence; the username only when the ledger has a present one (a subject waiting
     * for its username keeps the one it has).
     */
    static List<Fact> columns(UserModel user, Map<String, Fact> attributes) {
        List<Fact> differing = new ArrayList<>();
        for (AttributeName.Kind kind : COLUMN_KINDS) {
            String name = kind.reserved();
            Fact fact = attributes.get(name);
            boolean present = fact != null && fact.present();
            boolean same = switch (kind) {
                case USERNAME -> !present || lower(fact.value().asText()).equals(user.getUsername());
                case EMAIL -> Objects.equals(present ? emptyToNull(lower(fact.value().asText())) : null, emptyToNull(user.getEmail()));
                case EMAIL_VERIFIED -> (present && fact.value().asBoolean()) == user.isEmailVerified();
                case FIRST_NAME -> Objects.equals(present ? emptyToNull(fact.value().asText()) : null, emptyToNull(user.getFirstName()));
                case LAST_NAME -> Objects.equals(present ? emptyToNull(fact.value().asText()) : null, emptyToNull(user.getLastName()));
                case ENABLED -> (!present || fact.value().asBoolean()) == user.isEnabled();
                default -> true;
            };
            if (!same) {
                differing.add(fact != null ? fact : Fact.attribute(name, 1, null));
            }
        }
        return differing;
    }

    /**
     * What of a projection's corrections no applied fact explains: drift, a user that had come to differ
     * from its ledger (the parts named as {@link UserWriter} names them).
     *
     * @param applied    the facts the write carried
     * @param unparked   whether the subject was waiting for its username, which the write gave it
     * @param unresolved the entitlement attributes that named what the realm lacked: granting it now is no drift
     */
    static List<String> drift(List<String> corrected, List<Fact> applied, boolean unparked, Collection<String> unresolved) {
        Set<String> explained = new HashSet<>();
        for (Fact fact : applied) {
            if (fact.kind() == Fact.Kind.CREDENTIAL) {
                explained.add("credentials");
            } else {
                explain(explained, fact.name());
            }
        }
        unresolved.forEach(attribute -> explain(explained, attribute));
        if (unparked) {
            explained.add(UserModel.USERNAME);
        }
        return corrected.stream().filter(part -> !explained.contains(part)).toList();
    }

    private static void explain(Set<String> explained, String attribute) {
        explained.add(attribute);
        AttributeName.Kind kind = AttributeName.of(attribute).kind();
        if (kind == AttributeName.Kind.REALM_ROLES || kind == AttributeName.Kind.CLIENT_ROLES) {
            explained.add("roles");
        }
    }

    /** Whether two lists of attribute values hold the same values, in any order. */
    static boolean sameValues(List<String> a, List<String> b) {
        return a.size() == b.size() && a.stream().sorted().toList().equals(b.stream().sorted().toList());
    }

    private static String lower(String value) {
        return value == null ? null : value.toLowerCase(Locale.ROOT);
    }

    private static String emptyToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
