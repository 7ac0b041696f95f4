package io.github.keycloakreplica.it;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Looks for known secrets (hashes, salts, typed passwords, OTP seeds) in a text, in the forms a careless
 * log line, JSON body or URL would carry them: as they are, JSON-escaped, URL-encoded, and cut short after
 * {@value #PREFIX} characters (a truncated payload still leaks).
 */
final class SecretSearch {

    /** Long enough that a random secret's first characters appear nowhere by chance. */
    static final int PREFIX = 20;

    private final Map<String, String> secrets = new LinkedHashMap<>();

    /** A secret to look for, and what to call it in a failure (never the secret itself). */
    SecretSearch add(String name, String secret) {
        if (secret == null || secret.length() < 8) {
            throw new IllegalArgumentException(name + " is too short to look for reliably");
        }
        secrets.put(name, secret);
        return this;
    }

    Map<String, String> secrets() {
        return secrets;
    }

    /** The forms of one secret this search finds, by what each is called. */
    static Map<String, String> forms(String secret) {
        Map<String, String> forms = new LinkedHashMap<>();
        forms.put("as is", secret);
        forms.put("JSON-escaped", secret.replace("\\", "\\\\").replace("\"", "\\\"").replace("/", "\\/"));
        forms.put("URL-encoded", URLEncoder.encode(secret, StandardCharsets.UTF_8));
        if (secret.length() > PREFIX) {
            forms.put("its first " + PREFIX + " characters", secret.substring(0, PREFIX));
        }
        return forms;
    }

    /** What of the secrets the text holds, as "name (form)"; empty when none. */
    List<String> foundIn(String text) {
        List<String> found = new ArrayList<>();
        secrets.forEach((name, secret) -> forms(secret).forEach((form, needle) -> {
            if (text.contains(needle)) {
                found.add(name + " (" + form + ")");
            }
        }));
        return found;
    }

    /** The secrets (by name) of which the text holds no form at all. */
    List<String> missingFrom(String text) {
        List<String> missing = new ArrayList<>();
        secrets.forEach((name, secret) -> {
            if (forms(secret).values().stream().noneMatch(text::contains)) {
                missing.add(name);
            }
        });
        return missing;
    }
}
