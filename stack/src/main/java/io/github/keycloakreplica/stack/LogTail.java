package io.github.keycloakreplica.stack;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The last lines of a server log, for error messages and for tests to print on failure. */
public final class LogTail {

    private static final int CHUNK = 8192;

    private LogTail() {
    }

    /**
     * Returns at most {@code lines} trailing lines of {@code file}. Reads backwards from the end, because a
     * Keycloak log in a long test run gets large and only its end explains a failure.
     */
    public static String tail(Path file, int lines) {
        if (lines <= 0) {
            return "";
        }
        if (!Files.isRegularFile(file)) {
            return "(no log at " + file + ")";
        }
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long end = in.length();
            // A trailing newline ends the last line; it does not start an empty one.
            if (end > 0 && byteAt(in, end - 1) == '\n') {
                end--;
            }
            long start = end;
            int newlines = 0;
            byte[] buffer = new byte[CHUNK];
            while (start > 0 && newlines < lines) {
                int length = (int) Math.min(CHUNK, start);
                in.seek(start - length);
                in.readFully(buffer, 0, length);
                int i = length - 1;
                for (; i >= 0; i--) {
                    if (buffer[i] == '\n' && ++newlines == lines) {
                        break;
                    }
                }
                start -= length - Math.max(i + 1, 0);
                if (i >= 0) {
                    break;
                }
            }
            byte[] text = new byte[(int) (end - start)];
            in.seek(start);
            in.readFully(text);
            // Decoding once, after the cut, keeps multi-byte characters whole.
            return new String(text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(could not read " + file + ": " + e + ")";
        }
    }

    private static int byteAt(RandomAccessFile in, long position) throws IOException {
        in.seek(position);
        return in.read();
    }
}
