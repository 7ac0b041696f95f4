package io.github.keycloakreplica.storage;

import org.junit.jupiter.api.Test;
import org.keycloak.models.UserModel;
import org.keycloak.userprofile.AttributeMetadata;
import org.keycloak.userprofile.AttributeValidatorMetadata;
import org.keycloak.userprofile.UserProfileContext;
import org.keycloak.userprofile.UserProfileMetadata;
import org.keycloak.userprofile.validator.ImmutableAttributeValidator;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ReplicaUserStorageProviderTest {

    private static AttributeMetadata attribute(UserProfileMetadata metadata, String name) {
        return metadata.getAttribute(name).get(0);
    }

    @Test
    void everyFieldButTheLocaleIsReadOnlyAndSaysWhereItCanBeChanged() {
        UserProfileMetadata metadata = new UserProfileMetadata(UserProfileContext.USER_API);
        metadata.addAttribute(UserModel.EMAIL, 1, List.of(new AttributeValidatorMetadata(ImmutableAttributeValidator.ID)));
        metadata.addAttribute("department", 2, List.of()).addAnnotations(Map.of("inputHelperTextBefore", "As on your badge",
                "inputType", "text"));
        metadata.addAttribute(UserModel.LOCALE, 3, List.of());

        ReplicaUserStorageProvider.makeReadOnly(metadata, "the HQ Keycloak");

        String why = "Replicated from the HQ Keycloak and read-only on this replica. Change it at the HQ Keycloak, "
                + "and the change reaches this replica through the identity stream.";
        AttributeMetadata email = attribute(metadata, UserModel.EMAIL);
        assertThat(email.canEdit(null)).isFalse();
        assertThat(email.getAnnotations()).containsEntry(ReplicaUserStorageProvider.HELP_TEXT_ANNOTATION, why);
        assertThat(email.getValidators()).extracting(AttributeValidatorMetadata::getValidatorId)
                .containsExactly(ReplicaReadOnlyAttributeValidator.ID);
        // The realm's help text tells how to fill the field in, which a replicated user cannot; its other annotations stay.
        assertThat(attribute(metadata, "department").getAnnotations())
                .containsEntry(ReplicaUserStorageProvider.HELP_TEXT_ANNOTATION, why).containsEntry("inputType", "text");
        AttributeMetadata locale = attribute(metadata, UserModel.LOCALE);
        assertThat(locale.canEdit(null)).isTrue();
        assertThat(locale.getAnnotations()).isNull();
    }
}
