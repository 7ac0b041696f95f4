package io.github.keycloakreplica.stream;

import java.net.IDN;
import java.util.regex.Pattern;

/**
 * The syntax of an email address as the schemas' {@code "format": "email"} means it here: an RFC 5321
 * mailbox, with UTF-8 allowed in the local part and the domain (RFC 6531), and the local part at most
 * 64 characters as in Keycloak's own email validator. Unlike the schema library's built-in check it does
 * not consult the list of public top-level domains: an identity provider's users may well live under
 * {@code .internal} or {@code .corp}, and Keycloak accepts those.
 */
public final class EmailAddress {

    /** Keycloak's default for its email validator's local part (max-email-local-part-length). */
    public static final int MAX_LOCAL_PART_LENGTH = 64;
    /** RFC 5321's limit on a path (256 with the angle brackets). */
    public static final int MAX_LENGTH = 254;

    private static final int MAX_DOMAIN_LENGTH = 253;
    private static final int MAX_LABEL_LENGTH = 63;
    /** RFC 5322 atext, plus any character beyond ASCII (RFC 6531). */
    private static final Pattern DOT_ATOM = Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~\\-\\u0080-\\uFFFF]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\\-\\u0080-\\uFFFF]+)*");
    /** RFC 5321 Quoted-string: printable ASCII, with backslash and quote escaped. */
    private static final Pattern QUOTED = Pattern.compile("\"([\\x20\\x21\\x23-\\x5B\\x5D-\\x7E]|\\\\[\\x20-\\x7E])*\"");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?");
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private EmailAddress() {
    }

    public static boolean isValid(String address) {
        if (address == null || address.isEmpty() || address.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < address.length(); i++) {
            char c = address.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029') {
                return false;
            }
        }
        int at = address.lastIndexOf('@');
        if (at < 1 || at == address.length() - 1) {
            return false;
        }
        String local = address.substring(0, at);
        String domain = address.substring(at + 1);
        return local.length() <= MAX_LOCAL_PART_LENGTH
                && (DOT_ATOM.matcher(local).matches() || QUOTED.matcher(local).matches())
                && isDomain(domain);
    }

    private static boolean isDomain(String domain) {
        if (domain.startsWith("[") && domain.endsWith("]")) {
            String literal = domain.substring(1, domain.length() - 1);
            if (literal.regionMatches(true, 0, "IPv6:", 0, 5)) {
                String v6 = literal.substring(5);
                return IPV6.matcher(v6).matches() && v6.chars().filter(ch -> ch == ':').count() >= 2;
            }
            return IPV4.matcher(literal).matches();
        }
        String ascii;
        try {
            ascii = IDN.toASCII(domain);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (ascii.isEmpty() || ascii.length() > MAX_DOMAIN_LENGTH) {
            return false;
        }
        for (String label : ascii.split("\\.", -1)) {
            if (label.length() > MAX_LABEL_LENGTH || !LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }
}
