package io.github.keycloakreplica.sync;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.Locale;

/**
 * What an orphan reconciliation does with the orphans it finds: disable them (the default: what many LDAP
 * sites ask for, and undone by one click) or remove them; and whether it only lists them.
 */
public record OrphanScope(boolean remove, boolean dryRun) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** @param action "disable" (also when null) or "remove" */
    public static OrphanScope of(String action, Boolean dryRun) {
        String a = action == null || action.isBlank() ? "disable" : action.trim().toLowerCase(Locale.ROOT);
        if (!a.equals("disable") && !a.equals("remove")) {
            throw new IllegalArgumentException("An orphan reconciliation disables or removes orphans: action must be 'disable' or 'remove', was '"
                    + action + "'.");
        }
        return new OrphanScope(a.equals("remove"), Boolean.TRUE.equals(dryRun));
    }

    public String action() {
        return remove ? "remove" : "disable";
    }

    public String write() {
        return JSON.createObjectNode().put("action", action()).put("dryRun", dryRun).toString();
    }

    public static OrphanScope read(String scope) {
        try {
            JsonNode node = JSON.readTree(scope);
            return of(node.path("action").asText(null), node.path("dryRun").asBoolean(false));
        } catch (JsonProcessingException | IllegalArgumentException | NullPointerException e) {
            throw new IllegalStateException("the scope of an orphan reconciliation is not {\"action\":…,\"dryRun\":…}");
        }
    }
}
