package io.github.keycloakreplica.stream;

/**
 * Text from a record or a request made safe to write where people read it (a log line, a dead letter,
 * an operation's error): control characters, Unicode format characters (bidi overrides) and lone
 * surrogates become {@code \\uXXXX} escapes. A record key with a newline then cannot forge a log line, and
 * a NUL, which PostgreSQL cannot store in text, cannot make the write of a dead letter fail.
 */
public final class LogText {

    private LogText() {
    }

    public static String escape(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (unsafe(text, i, c)) {
                if (out == null) {
                    out = new StringBuilder(text.length() + 16).append(text, 0, i);
                }
                out.append(String.format("\\u%04x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    /** Escaped, and cut to {@code max} characters with an ellipsis. */
    public static String escape(String text, int max) {
        String escaped = escape(text);
        return escaped == null || escaped.length() <= max ? escaped : escaped.substring(0, Math.max(0, max - 1)) + "…";
    }

    private static boolean unsafe(String text, int i, char c) {
        if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
            return true;
        }
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(text.charAt(i - 1));
        }
        return false;
    }
}
