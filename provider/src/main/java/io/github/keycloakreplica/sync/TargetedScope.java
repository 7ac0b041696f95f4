package io.github.keycloakreplica.sync;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/** The subjects of a targeted sync, as its operation keeps them: a JSON array, each subject once, in the order given. */
public final class TargetedScope {

    /** A targeted sync is for people, not for the whole site: a full sync reads everything anyway. */
    public static final int MAX_SUBJECTS = 1_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private TargetedScope() {
    }

    /** @throws IllegalArgumentException saying what is wrong with the list */
    public static String write(List<String> subjects) {
        LinkedHashSet<String> distinct = new LinkedHashSet<>();
        for (String subject : subjects) {
            if (subject == null || subject.isBlank()) {
                throw new IllegalArgumentException("A subject in the list is empty.");
            }
            if (subject.length() > 255) {
                throw new IllegalArgumentException("A subject is longer than 255 characters.");
            }
            distinct.add(subject.trim());
        }
        if (distinct.isEmpty()) {
            throw new IllegalArgumentException("A targeted sync needs at least one subject or a username.");
        }
        if (distinct.size() > MAX_SUBJECTS) {
            throw new IllegalArgumentException("A targeted sync takes at most " + MAX_SUBJECTS + " subjects, got " + distinct.size()
                    + "; start a full sync for more.");
        }
        try {
            return JSON.writeValueAsString(distinct);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static List<String> read(String scope) {
        try {
            List<String> subjects = new ArrayList<>();
            JSON.readTree(scope).forEach(node -> subjects.add(node.asText()));
            return subjects;
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new IllegalStateException("the scope of a targeted sync is not a JSON array of subjects");
        }
    }
}
