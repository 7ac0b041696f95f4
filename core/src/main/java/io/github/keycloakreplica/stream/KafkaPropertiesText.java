package io.github.keycloakreplica.stream;

import java.io.IOException;
import java.io.StringReader;
import java.util.Properties;

/**
 * Kafka client settings as an operator writes them in a text field: one key=value per line, in Java
 * properties format, exactly as Kafka documents its settings. Which keys and values are allowed is the
 * business of whoever makes the client; this only reads the text.
 */
public final class KafkaPropertiesText {

    private KafkaPropertiesText() {
    }

    /**
     * The settings the text holds; empty for null or blank text.
     *
     * @param setting what the administrator calls the field, to start the message with when the text cannot be read
     * @throws IllegalArgumentException when the text is not in Java properties format (its message never quotes the text)
     */
    public static Properties parse(String text, String setting) {
        Properties properties = new Properties();
        if (text != null && !text.isBlank()) {
            try {
                properties.load(new StringReader(text));
            } catch (IOException | IllegalArgumentException e) {
                // StringReader does not fail on I/O; a malformed \\uXXXX escape is the only way here.
                throw new IllegalArgumentException(setting + " are not in Java properties format: " + e.getMessage(), e);
            }
        }
        return properties;
    }
}
