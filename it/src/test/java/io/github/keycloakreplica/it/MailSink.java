package io.github.keycloakreplica.it;

import org.awaitility.Awaitility;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An SMTP server on loopback that accepts every message and keeps it, for the flows where Keycloak
 * mails a person a link (forgotten password, actions an administrator asks for). Speaks just enough
 * SMTP for Keycloak's mail client: no TLS, no authentication.
 */
final class MailSink implements AutoCloseable {

    private static final Pattern LINK = Pattern.compile("https?://[^\\s\"<>]+/login-actions/action-token\\?key=[A-Za-z0-9._\\-]+[^\\s\"<>]*");

    private final ServerSocket server;
    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final Thread thread;

    MailSink() throws IOException {
        server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        thread = new Thread(this::serve, "mail-sink");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** How many messages to this address arrived so far. */
    int count(String recipient) {
        return (int) messages.stream().filter(m -> m.contains(recipient)).count();
    }

    /** Waits for a message to this address after the first {@code skip} and returns the action link in it. */
    String awaitActionLink(String recipient, int skip, Duration within) {
        String message = Awaitility.await("mail to " + recipient).atMost(within).pollInterval(Duration.ofMillis(200))
                .until(() -> messages.stream().filter(m -> m.contains(recipient)).skip(skip).findFirst().orElse(null), m -> m != null);
        boolean quoted = message.toLowerCase(Locale.ROOT).contains("content-transfer-encoding: quoted-printable");
        Matcher link = LINK.matcher(quoted ? decodeQuotedPrintable(message) : message);
        if (!link.find()) {
            throw new AssertionError("no action link in the mail to " + recipient + ":\n" + message);
        }
        return link.group().replace("&amp;", "&");
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket socket = server.accept()) {
                socket.setSoTimeout(30_000);
                converse(socket);
            } catch (IOException e) {
                if (server.isClosed()) {
                    return;
                }
            }
        }
    }

    private void converse(Socket socket) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        OutputStream out = socket.getOutputStream();
        reply(out, "220 mail-sink ready");
        StringBuilder message = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null) {
            String command = line.toUpperCase(Locale.ROOT);
            if (command.startsWith("EHLO") || command.startsWith("HELO")) {
                reply(out, "250 mail-sink");
            } else if (command.startsWith("MAIL") || command.startsWith("RCPT") || command.startsWith("RSET") || command.startsWith("NOOP")) {
                message.append(line).append('\n');
                reply(out, "250 OK");
            } else if (command.startsWith("DATA")) {
                reply(out, "354 end with <CRLF>.<CRLF>");
                String data;
                while ((data = in.readLine()) != null && !data.equals(".")) {
                    message.append(data.startsWith("..") ? data.substring(1) : data).append('\n');
                }
                messages.add(message.toString());
                message.setLength(0);
                reply(out, "250 OK: kept");
            } else if (command.startsWith("QUIT")) {
                reply(out, "221 bye");
                return;
            } else {
                reply(out, "250 OK");
            }
        }
    }

    private static void reply(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Undoes quoted-printable soft line breaks and escapes, which would cut and mangle a long link. */
    static String decodeQuotedPrintable(String text) {
        String joined = text.replace("=\r\n", "").replace("=\n", "");
        StringBuilder decoded = new StringBuilder(joined.length());
        for (int i = 0; i < joined.length(); i++) {
            char c = joined.charAt(i);
            if (c == '=' && i + 2 < joined.length() && isHex(joined.charAt(i + 1)) && isHex(joined.charAt(i + 2))) {
                decoded.append((char) Integer.parseInt(joined.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                decoded.append(c);
            }
        }
        return decoded.toString();
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
