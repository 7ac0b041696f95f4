package io.github.keycloakreplica.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.keycloakreplica.stack.KeycloakHttp;

/**
 * One person of the benchmark's pool at the primary, with the names and email the primary holds for them. Only one
 * request changes a person at a time (the load takes a person out of its pool until the change was seen), so the
 * fields need no lock beyond their visibility.
 */
final class Person {

    private final String id;
    private final String username;
    private volatile String firstName;
    private volatile String lastName;
    private volatile String email;

    Person(String id, String username) {
        this.id = id;
        this.username = username;
        this.firstName = "First";
        this.lastName = "Last";
        this.email = username + "@example.com";
    }

    String id() {
        return id;
    }

    String username() {
        return username;
    }

    /** The body of a user create for this person, with a password if one is given. */
    ObjectNode creation(String password) {
        ObjectNode user = editable();
        if (password != null) {
            ObjectNode credential = user.putArray("credentials").addObject();
            credential.put("type", "password");
            credential.put("value", password);
            credential.put("temporary", false);
        }
        return user;
    }

    /**
     * The full representation an admin console sends on save, with {@code field} set to {@code value}: a whole user,
     * so that nothing but the one field changes whatever Keycloak does with a partial body.
     */
    ObjectNode changed(String field, String value) {
        switch (field) {
            case "firstName" -> firstName = value;
            case "lastName" -> lastName = value;
            case "email" -> email = value;
            default -> throw new IllegalArgumentException(field);
        }
        return editable();
    }

    private ObjectNode editable() {
        ObjectNode user = KeycloakHttp.JSON.createObjectNode();
        user.put("username", username);
        user.put("email", email);
        user.put("emailVerified", true);
        user.put("firstName", firstName);
        user.put("lastName", lastName);
        user.put("enabled", true);
        return user;
    }
}
