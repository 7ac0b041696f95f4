package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.resource.InputStreamSource;
import io.github.keycloakreplica.stack.KeycloakHttp;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One of the provider's OpenAPI documents, read from the classpath as the jar ships it, against which real answers
 * are checked: a response's status is the documented one and its body matches the documented schema, formats
 * included. The document's {@code $ref}s resolve within itself, under the base IRI it is loaded as.
 */
final class OpenApiDocument {

    private final String base;
    private final JsonNode document;
    private final JsonSchemaFactory factory;
    private final SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();

    private OpenApiDocument(String base, byte[] text) throws IOException {
        this.base = base;
        this.document = KeycloakHttp.JSON.readTree(text);
        this.factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
                builder -> builder.schemaLoaders(loaders -> loaders.values(list -> {
                    list.clear();
                    list.add(iri -> iri.toString().startsWith(base) ? (InputStreamSource) () -> new ByteArrayInputStream(text) : null);
                })));
    }

    /** The document at this classpath resource, loaded under this base IRI. */
    static OpenApiDocument load(String resource, String base) {
        try (InputStream in = OpenApiDocument.class.getClassLoader().getResourceAsStream(resource)) {
            assertThat(in).as(resource + " on the classpath").isNotNull();
            return new OpenApiDocument(base, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(resource, e);
        }
    }

    JsonNode paths() {
        return document.get("paths");
    }

    /** The answer has the documented status, and its body matches that status's documented schema; returns the schema. */
    JsonSchema check(KeycloakHttp.Response response, String path, String method, int status) {
        assertThat(response.status()).as(method.toUpperCase(java.util.Locale.ROOT) + " " + path + ": " + response).isEqualTo(status);
        String pointer = "/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method + "/responses/" + status
                + "/content/application~1json/schema";
        JsonSchema schema = factory.getSchema(SchemaLocation.of(base + "#" + pointer), config);
        Set<ValidationMessage> problems = schema.validate(response.json());
        assertThat(problems).as(method + " " + path + " " + status + " against the document: " + response.json()).isEmpty();
        return schema;
    }
}
