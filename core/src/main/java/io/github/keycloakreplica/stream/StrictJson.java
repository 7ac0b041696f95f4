package io.github.keycloakreplica.stream;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads JSON the way a record must be: valid UTF-8, exactly one JSON value and nothing after it, no
 * key twice, nesting and numbers within small bounds, numbers exact (a fraction is never rounded into
 * an integer), and every string and key storable ({@link RecordText#problemWith}). Errors name the place,
 * never the text: what is read may hold a secret.
 */
final class StrictJson {

    /** Far deeper than any record of the contract (at most six levels) or Keycloak's credential data. */
    static final int MAX_NESTING_DEPTH = 32;
    /** Versions have at most 19 digits; more only makes a number expensive to compare. */
    static final int MAX_NUMBER_CHARS = 100;
    private static final int MAX_SHOWN_NAME_CHARS = 64;
    private static final BigDecimal MAX_LONG = BigDecimal.valueOf(Long.MAX_VALUE);
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING_DEPTH)
                    .maxNumberLength(MAX_NUMBER_CHARS)
                    .build())
            .build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private StrictJson() {
    }

    /** Reads UTF-8 bytes; see {@link #read(String, String)}. */
    static JsonNode read(byte[] bytes, String what) throws InvalidEventException {
        return read(RecordText.utf8(bytes, what), what);
    }

    /**
     * Reads one JSON value and checks that nothing follows it and that all its text can be stored.
     *
     * @param what how the error messages name the text, e.g. "the record" or a JSON path
     */
    static JsonNode read(String text, String what) throws InvalidEventException {
        JsonNode root;
        try (JsonParser parser = MAPPER.createParser(text)) {
            root = MAPPER.readTree(parser);
            if (root == null || root.isMissingNode()) {
                throw new InvalidEventException(what + " holds no JSON value");
            }
            JsonToken next;
            try {
                next = parser.nextToken();
            } catch (JsonProcessingException e) {
                next = JsonToken.NOT_AVAILABLE;
            }
            if (next != null) {
                JsonLocation at = parser.currentTokenLocation();
                throw new InvalidEventException(what + " has more after its JSON value (from line " + at.getLineNr() + ", column "
                        + at.getColumnNr() + "): it must hold exactly one JSON value");
            }
        } catch (StreamConstraintsException e) {
            throw new InvalidEventException(what + " exceeds a bound of the JSON reader (nesting at most " + MAX_NESTING_DEPTH
                    + " levels deep, numbers at most " + MAX_NUMBER_CHARS + " characters)");
        } catch (JsonProcessingException e) {
            // Jackson's own message can quote the offending token; only its position is safe to keep.
            JsonLocation at = e.getLocation();
            String position = at == null ? "" : " (syntax error at line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
            throw new InvalidEventException(what + " is not valid JSON" + position);
        } catch (IOException e) {
            throw new InvalidEventException(what + " cannot be read as JSON");
        } catch (NumberFormatException | ArithmeticException e) {
            // Jackson lets these through for numbers no BigDecimal can hold, such as 1e99999999999.
            throw new InvalidEventException(what + " has a number beyond any range (its exponent is too large)");
        } catch (RuntimeException e) {
            throw new InvalidEventException(what + " cannot be read as JSON (" + e.getClass().getSimpleName() + ")");
        }
        checkText(root, "$", what.startsWith("$") ? " inside the JSON of " + what : "");
        return root;
    }

    /**
     * Refuses text no database can store (in keys as in values) and empty keys, which no schema of the
     * contract allows and the schema library cannot even report.
     *
     * @param suffix what follows each path in a message, to place text read from inside a string
     */
    static void checkText(JsonNode node, String path, String suffix) throws InvalidEventException {
        if (node.isTextual()) {
            String problem = RecordText.problemWith(node.textValue());
            if (problem != null) {
                throw new InvalidEventException("at " + path + suffix + " holds " + problem);
            }
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String name = field.getKey();
                if (name.isEmpty()) {
                    throw new InvalidEventException("has an empty property name in " + path + suffix);
                }
                String problem = RecordText.problemWith(name);
                if (problem != null) {
                    throw new InvalidEventException("has a property name in " + path + suffix + " that holds " + problem);
                }
                checkText(field.getValue(), child(path, name), suffix);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkText(node.get(i), path + "[" + i + "]", suffix);
            }
        }
    }

    /** The JSON path of a property, its name shown printable and short. */
    static String child(String path, String name) {
        if (PLAIN_NAME.matcher(name).matches() && name.length() <= MAX_SHOWN_NAME_CHARS) {
            return path + "." + name;
        }
        return path + "['" + LogSafe.escape(name, MAX_SHOWN_NAME_CHARS).replace("'", "\\'") + "']";
    }

    /**
     * The schema says the same, but its library compares big numbers approximately; this is exact. A
     * number written with a fraction of zero (2.0) is the integer the schema also accepts.
     */
    static long exactLong(JsonNode node, String path, long minimum) throws InvalidEventException {
        if (node == null || !node.isNumber()) {
            throw new InvalidEventException(path + " is not a number");
        }
        BigDecimal value = node.decimalValue();
        if (value.compareTo(BigDecimal.valueOf(minimum)) < 0 || value.compareTo(MAX_LONG) > 0) {
            throw new InvalidEventException(path + " must be an integer from " + minimum + " to 2^63-1 (" + Long.MAX_VALUE + ")");
        }
        try {
            return value.longValueExact();
        } catch (ArithmeticException e) {
            throw new InvalidEventException(path + " must be an integer, but has a fraction");
        }
    }

}
