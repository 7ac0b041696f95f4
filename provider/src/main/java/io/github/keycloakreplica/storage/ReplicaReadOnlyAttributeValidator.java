package io.github.keycloakreplica.storage;

import io.github.keycloakreplica.config.ReplicaConfig;

import org.keycloak.userprofile.UserProfileAttributeValidationContext;
import org.keycloak.userprofile.validator.ImmutableAttributeValidator;
import org.keycloak.validate.SimpleValidator;
import org.keycloak.validate.ValidationContext;
import org.keycloak.validate.ValidationError;
import org.keycloak.validate.ValidatorConfig;

/**
 * Stands in for Keycloak's immutable-attribute check on replicated users: the same decision (Keycloak's
 * own validator makes it), but the error tells the person where the attribute can be changed instead of
 * only "the field is read only".
 */
public final class ReplicaReadOnlyAttributeValidator implements SimpleValidator {

    public static final String ID = "replica-read-only-attribute";
    public static final String UPSTREAM = "upstream";

    private final ImmutableAttributeValidator keycloakCheck = new ImmutableAttributeValidator();

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public ValidationContext validate(Object input, String inputHint, ValidationContext context, ValidatorConfig config) {
        UserProfileAttributeValidationContext attributeContext = (UserProfileAttributeValidationContext) context;
        ValidationContext probe = new UserProfileAttributeValidationContext(attributeContext.getAttributeContext());
        keycloakCheck.validate(input, inputHint, probe, config);
        if (!probe.isValid()) {
            Object upstream = config == null ? null : config.get(UPSTREAM);
            context.addError(new ValidationError(ID, inputHint,
                    ReadOnlyMessages.attribute(inputHint, upstream == null ? ReplicaConfig.DEFAULT_UPSTREAM_NAME : upstream.toString())));
        }
        return context;
    }
}
