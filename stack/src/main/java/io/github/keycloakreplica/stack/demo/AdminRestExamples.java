package io.github.keycloakreplica.stack.demo;

import io.github.keycloakreplica.stack.StackException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * README's shell commands for the replica's admin REST resource (a token, then curl), with a site's own
 * values: the demo prints them and an integration test runs them, both from README itself, so what a
 * reader copies is what was run. The block is README's one fenced bash block that calls
 * {@code /replica/}; its first line declares the variables a site fills in ({@code KC=… REALM=… SUBJECT=…}).
 */
public final class AdminRestExamples {

    /** The Keycloak base URL the commands call. */
    public static final String BASE_URL = "KC";
    /** The replicated realm. */
    public static final String REALM = "REALM";
    /** The subject of the person the targeted sync and the subject view are about. */
    public static final String SUBJECT = "SUBJECT";

    private static final Pattern FENCE = Pattern.compile("(?ms)^```bash\\n(.*?)^```");
    /** What may be put into a declaration without quoting it for the shell. */
    private static final Pattern SHELL_WORD = Pattern.compile("[A-Za-z0-9:/._@%+=-]+");
    /** A curl command: at the start of a line, or in a command substitution. */
    private static final Pattern CURL = Pattern.compile("(^|\\$\\()curl ");

    private final List<String> lines;

    private AdminRestExamples(List<String> lines) {
        this.lines = List.copyOf(lines);
    }

    /** The block in this README. */
    public static AdminRestExamples fromReadme(Path readme) {
        try {
            return parse(Files.readString(readme), readme.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static AdminRestExamples parse(String markdown, String source) {
        List<String> blocks = new ArrayList<>();
        Matcher m = FENCE.matcher(markdown);
        while (m.find()) {
            if (m.group(1).contains("/replica/")) {
                blocks.add(m.group(1));
            }
        }
        if (blocks.size() != 1) {
            throw new StackException(source + " has " + blocks.size() + " fenced bash blocks that call /replica/; the demo and "
                    + "the test that runs README's admin REST examples expect exactly one");
        }
        AdminRestExamples examples = new AdminRestExamples(List.of(blocks.get(0).split("\n")));
        for (String variable : List.of(BASE_URL, REALM, SUBJECT)) {
            examples.declared(variable);
        }
        return examples;
    }

    /** The value the block's first line gives the variable, as printed. */
    public String declared(String variable) {
        Matcher m = declaration(variable).matcher(lines.get(0));
        if (!m.find()) {
            throw new StackException("README's admin REST examples do not start by declaring " + variable + "=…: " + lines.get(0));
        }
        return m.group(2);
    }

    /** The same commands with another value for one variable the first line declares. */
    public AdminRestExamples with(String variable, String value) {
        declared(variable);
        if (!SHELL_WORD.matcher(value).matches()) {
            throw new IllegalArgumentException(variable + " value '" + value + "' would need quoting for the shell");
        }
        List<String> changed = new ArrayList<>(lines);
        changed.set(0, declaration(variable).matcher(lines.get(0)).replaceFirst("$1" + variable + "=" + Matcher.quoteReplacement(value)));
        return new AdminRestExamples(changed);
    }

    /** The commands, one line each as README prints them. */
    public List<String> lines() {
        return lines;
    }

    /** The commands as one script. */
    public String script() {
        return String.join("\n", lines) + "\n";
    }

    /** How many HTTP calls the commands make: one per curl. */
    public int calls() {
        return (int) lines.stream().mapToLong(line -> CURL.matcher(line.strip()).results().count()).sum();
    }

    private static Pattern declaration(String variable) {
        return Pattern.compile("(^|\\s)" + Pattern.quote(variable) + "=(\\S+)");
    }
}
