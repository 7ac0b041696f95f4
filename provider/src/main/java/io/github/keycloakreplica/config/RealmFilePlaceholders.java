package io.github.keycloakreplica.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Keycloak's realm-file placeholders ({@code ${NAME}}, {@code ${NAME:default}}) left in a replica
 * component's settings. Keycloak fills them from the server's environment only when it imports a realm
 * file at start-up ({@code kc.sh start --import-realm}, {@code kc.sh import}); a realm created through
 * admin REST or the admin console's realm file upload keeps them as written, and
 * {@code ${REPLICA_KAFKA_BOOTSTRAP_SERVERS:127.0.0.1:9092}} would then be refused as no broker address.
 * A setting that is one such placeholder is read as the default written in it, which is what the start-up
 * import stores when the variable is not set; one without a default is refused, naming it.
 * <p>
 * The environment is never read here: whoever may create a realm could otherwise read the server's
 * environment (its database password, say) back through the component's settings.
 */
public final class RealmFilePlaceholders {

    /** Keycloak also takes composite names ({@code ${A,B:default}}: A, else B). */
    private static final Pattern VARIABLES = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(,[A-Za-z_][A-Za-z0-9_]*)*");

    private static final String WHY = "Keycloak fills a realm file's placeholders from its environment only when it imports the file "
            + "at start-up (kc.sh start --import-realm, kc.sh import), not when the realm is created through admin REST or the "
            + "admin console";

    private RealmFilePlaceholders() {
    }

    /**
     * A placeholder a whole setting held.
     *
     * @param setting  the setting's label (its name when it has none)
     * @param variable the placeholder's variable name(s), as written
     * @param fallback its default, null when it has none
     */
    public record Placeholder(String setting, String variable, String fallback) {

        @Override
        public String toString() {
            // The default may be a secret (a write path client secret): it is never part of a message. ASCII only,
            // since the message goes to the server log too.
            return setting + " (${" + variable + (fallback == null ? "" : ":...") + "})";
        }
    }

    /**
     * What {@link #settle} did.
     *
     * @param defaulted the settings now holding the default written in their placeholder
     * @param refused   the settings whose placeholder has no default, left as they were
     */
    public record Outcome(List<Placeholder> defaulted, List<Placeholder> refused) {

        public Outcome {
            defaulted = List.copyOf(defaulted);
            refused = List.copyOf(refused);
        }

        /** Why the settings cannot be saved, for the administrator; null when nothing is refused. */
        public String refusal() {
            if (refused.isEmpty()) {
                return null;
            }
            return join(refused) + (refused.size() == 1 ? " is a placeholder" : " are placeholders")
                    + " without a default: " + WHY + ". Give the value, or write a default into the placeholder "
                    + "(${NAME:default}).";
        }

        /** What was stored instead of the placeholders, for the server log; null when nothing was. */
        public String notice() {
            if (defaulted.isEmpty()) {
                return null;
            }
            return join(defaulted) + (defaulted.size() == 1 ? " was a placeholder and now holds its default" : " were placeholders and "
                    + "now hold their defaults") + ", as a start-up import without these environment variables would: " + WHY
                    + ". The environment was not read; check the settings on the component's page.";
        }

        private static String join(List<Placeholder> placeholders) {
            return placeholders.stream().map(Placeholder::toString).collect(Collectors.joining(", "));
        }
    }

    /**
     * Replaces every setting value that is one placeholder with a default by that default, in place.
     *
     * @param settings a component's configuration, setting name to values
     * @param labels   the label an administrator knows a setting by, from its name
     */
    public static Outcome settle(Map<String, List<String>> settings, Function<String, String> labels) {
        List<Placeholder> defaulted = new ArrayList<>();
        List<Placeholder> refused = new ArrayList<>();
        for (Map.Entry<String, List<String>> setting : settings.entrySet()) {
            List<String> values = setting.getValue();
            if (values == null) {
                continue;
            }
            List<String> settled = new ArrayList<>(values.size());
            boolean changed = false;
            for (String value : values) {
                Placeholder placeholder = parse(labels.apply(setting.getKey()), value);
                if (placeholder == null) {
                    settled.add(value);
                } else if (placeholder.fallback() == null) {
                    refused.add(placeholder);
                    settled.add(value);
                } else {
                    defaulted.add(placeholder);
                    settled.add(placeholder.fallback());
                    changed = true;
                }
            }
            if (changed) {
                setting.setValue(settled);
            }
        }
        return new Outcome(defaulted, refused);
    }

    /**
     * The placeholder a whole value is, with the default Keycloak's start-up import would give it without
     * the variable (a default that is itself a placeholder gives its own default); null when the value is
     * not one placeholder.
     */
    static Placeholder parse(String setting, String value) {
        if (value == null || value.length() < 4 || !value.startsWith("${") || !value.endsWith("}")
                || closingBrace(value) != value.length() - 1) {
            return null;
        }
        String inside = value.substring(2, value.length() - 1);
        int colon = inside.indexOf(':');
        String variable = colon < 0 ? inside : inside.substring(0, colon);
        if (!VARIABLES.matcher(variable).matches()) {
            return null;
        }
        if (colon < 0) {
            return new Placeholder(setting, variable, null);
        }
        String fallback = inside.substring(colon + 1);
        Placeholder nested = parse(setting, fallback);
        return new Placeholder(setting, variable, nested == null ? fallback : nested.fallback());
    }

    /** Where the brace opened at index 1 closes, counting nested braces as Keycloak does; -1 when it does not. */
    private static int closingBrace(String value) {
        int depth = 0;
        for (int i = 1; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }
}
