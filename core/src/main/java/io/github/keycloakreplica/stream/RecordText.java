package io.github.keycloakreplica.stream;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Text from records as databases and log lines can take it. PostgreSQL refuses the NUL character in
 * text columns and no UTF-8 database can hold half a surrogate pair, so such text is refused on every
 * database alike rather than failing only where PostgreSQL runs. What is shown of a record (keys in log
 * lines, paths in reasons) goes through {@link LogSafe}, so a record can never start a new log line.
 */
public final class RecordText {

    private RecordText() {
    }

    /** Why this text cannot be stored, or null when it can. Never quotes the text. */
    public static String problemWith(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0) {
                return "the NUL character (U+0000), which PostgreSQL cannot store";
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return "an unpaired UTF-16 surrogate, which no UTF-8 database can store";
            }
            if (Character.isLowSurrogate(c)) {
                return "an unpaired UTF-16 surrogate, which no UTF-8 database can store";
            }
        }
        return null;
    }

    /**
     * Decodes UTF-8, refusing what is not: malformed or overlong sequences and encoded surrogates.
     * Java's usual {@code new String(bytes, UTF_8)} would silently turn them into U+FFFD instead.
     *
     * @throws InvalidEventException naming the byte offset, never the bytes
     */
    public static String utf8(byte[] bytes, String what) throws InvalidEventException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            throw new InvalidEventException(what + " is not valid UTF-8 (invalid byte sequence at byte offset " + in.position() + ")");
        }
        result = decoder.flush(out);
        if (result.isError()) {
            throw new InvalidEventException(what + " is not valid UTF-8 (truncated at its end)");
        }
        return out.flip().toString();
    }

    /**
     * Escapes, inside JSON text that Jackson wrote, what Jackson leaves raw but a log line or a database
     * cannot take: DEL, C1 controls, line and paragraph separators, and unpaired surrogates. Such characters
     * only occur inside JSON strings, where the escape means the same character, so the JSON stays equal.
     */
    static String escapeRemainingInJson(String json) {
        StringBuilder out = null;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < json.length() && Character.isLowSurrogate(json.charAt(i + 1));
            if (!pair && needsEscape(c)) {
                if (out == null) {
                    out = new StringBuilder(json.length() + 16).append(json, 0, i);
                }
                escape(out, c);
                continue;
            }
            if (out != null) {
                out.append(c);
                if (pair) {
                    out.append(json.charAt(i + 1));
                }
            }
            if (pair) {
                i++;
            }
        }
        return out == null ? json : out.toString();
    }

    private static boolean needsEscape(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029' || Character.isSurrogate(c);
    }

    private static void escape(StringBuilder out, char c) {
        switch (c) {
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            case '\t' -> out.append("\\t");
            default -> out.append(String.format("\\u%04X", (int) c));
        }
    }
}
