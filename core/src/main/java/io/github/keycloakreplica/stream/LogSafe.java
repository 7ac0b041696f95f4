package io.github.keycloakreplica.stream;

/**
 * Text from outside (an admin's reason, a record key, a setting) made fit for one line of the server log:
 * a newline in it would otherwise start a line that looks like Keycloak's own, and a bidi override would
 * make the rest of the line read in another order than it was written. The same escapes make text from a
 * record storable where people read it (a dead letter): a NUL, which PostgreSQL cannot store in text,
 * no longer makes that write fail.
 */
public final class LogSafe {

    /** Enough for a reason or an id; a longer text is cut, since a log line is not where it is read in full. */
    public static final int DEFAULT_MAX_LENGTH = 256;

    private LogSafe() {
    }

    /** The whole text escaped, not cut (null stays null): for what is stored, not logged. */
    public static String escapeWhole(String text) {
        return text == null ? null : escape(text, Math.max(1, text.length()));
    }

    /** {@link #escape(CharSequence, int)} with {@link #DEFAULT_MAX_LENGTH}. */
    public static String escape(CharSequence text) {
        return escape(text, DEFAULT_MAX_LENGTH);
    }

    /**
     * The text with every ISO control character (\r, \n, \t included), every Unicode format character
     * (the bidi embeddings, overrides, isolates and marks among them), the line and paragraph separators
     * and every unpaired surrogate written as {@code \}{@code uXXXX}; cut after {@code maxLength}
     * characters of the original, never inside a surrogate pair, and then ended with "…".
     *
     * @return "null" for null, as string concatenation would
     */
    public static String escape(CharSequence text, int maxLength) {
        if (maxLength < 1) {
            throw new IllegalArgumentException("maxLength must be at least 1, was " + maxLength);
        }
        if (text == null) {
            return "null";
        }
        int end = Math.min(text.length(), maxLength);
        if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1)) && Character.isLowSurrogate(text.charAt(end))) {
            end--;
        }
        StringBuilder out = new StringBuilder(end + 16);
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                int codePoint = Character.toCodePoint(c, text.charAt(i + 1));
                if (unsafe(codePoint)) {
                    unicodeEscape(out, c);
                    unicodeEscape(out, text.charAt(i + 1));
                } else {
                    out.append(c).append(text.charAt(i + 1));
                }
                i++;
            } else if (Character.isSurrogate(c) || unsafe(c)) {
                unicodeEscape(out, c);
            } else {
                out.append(c);
            }
        }
        if (end < text.length()) {
            out.append('…');
        }
        return out.toString();
    }

    private static boolean unsafe(int codePoint) {
        int type = Character.getType(codePoint);
        return Character.isISOControl(codePoint) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR;
    }

    private static void unicodeEscape(StringBuilder out, char c) {
        out.append("\\u").append(String.format("%04X", (int) c));
    }
}
