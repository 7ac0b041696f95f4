package io.github.keycloakreplica.store;

/**
 * Fits a text into its column. Reasons, causes and event ids come from upstream records and exceptions
 * of any length; a value too long for its column must not make the row (and with it the batch) fail,
 * so it is cut, and the ellipsis says that it was.
 */
final class ColumnText {

    private ColumnText() {
    }

    /** The value, cut to at most {@code max} characters with an ellipsis as the last one when it was longer; null stays null. */
    static String truncate(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max - 1) + "…";
    }
}
