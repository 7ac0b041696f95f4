package io.github.keycloakreplica.apply;

import com.webauthn4j.converter.util.ObjectConverter;
import com.webauthn4j.data.attestation.authenticator.EC2COSEKey;
import com.webauthn4j.data.attestation.statement.COSEAlgorithmIdentifier;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.keycloak.credential.CredentialModel;
import org.keycloak.credential.CredentialPublicKeyConverter;
import org.keycloak.models.credential.RecoveryAuthnCodesCredentialModel;
import org.keycloak.models.credential.WebAuthnCredentialModel;

import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each malformed kind of credential once, with the reason it gets; the data itself is never in the reason. */
class CredentialSanityTest {

    private static final CredentialSanity SANITY = new CredentialSanity();
    private static final String SALT = Base64.getEncoder().encodeToString(new byte[16]);

    private static CredentialModel model(String type, String credentialData, String secretData) {
        CredentialModel model = new CredentialModel();
        model.setType(type);
        model.setCredentialData(credentialData);
        model.setSecretData(secretData);
        return model;
    }

    private static String hash(int bytes) {
        return Base64.getEncoder().encodeToString(new byte[bytes]);
    }

    private static CredentialModel password(String algorithm, long iterations, int hashBytes) {
        return model("password", "{\"algorithm\":\"" + algorithm + "\",\"hashIterations\":" + iterations + ",\"additionalParameters\":{}}",
                "{\"value\":\"" + hash(hashBytes) + "\",\"salt\":\"" + SALT + "\",\"additionalParameters\":{}}");
    }

    private static void refused(CredentialSanity sanity, CredentialModel model, String fragment) {
        assertThatThrownBy(() -> sanity.check(model))
                .isInstanceOf(EventRejectedException.class)
                .hasMessageContaining(fragment)
                .hasMessageNotContaining("SECRET");
    }

    private static void refused(CredentialModel model, String fragment) {
        refused(SANITY, model, fragment);
    }

    private static void accepted(CredentialModel model) {
        assertThatCode(() -> SANITY.check(model)).doesNotThrowAnyException();
    }

    // Passwords: iterations within a ceiling that is a multiple of Keycloak's default for the algorithm.

    @Test
    void keycloaksDefaultsAndUpToFiveTimesThemAreAccepted() {
        accepted(password("pbkdf2-sha512", 210_000, 64));
        accepted(password("pbkdf2-sha512", 1_050_000, 64));
        accepted(password("pbkdf2-sha256", 600_000, 64));
        accepted(password("pbkdf2-sha256", 3_000_000, 64));
        accepted(password("pbkdf2", 1_300_000, 64));
        accepted(password("pbkdf2-sha512", 1, 64));
    }

    @Test
    void iterationsAboveTheCeilingAreRefused() {
        refused(password("pbkdf2-sha512", 1_050_001, 64), "password hashing cost is above this replica's ceiling for pbkdf2-sha512: at most 5 times");
        refused(password("pbkdf2-sha512", 2_147_483_647, 64), "above this replica's ceiling");
        refused(password("pbkdf2-sha256", 3_000_001, 64), "ceiling for pbkdf2-sha256");
        refused(password("pbkdf2", 6_500_001, 64), "ceiling for pbkdf2:");
    }

    @Test
    void nonPositiveIterationsAreRefused() {
        refused(password("pbkdf2-sha512", -1, 64), "password credentialData.hashIterations must be positive");
        refused(password("pbkdf2-sha512", 0, 64), "must be positive");
    }

    @Test
    void aLongerStoredHashCountsAsTheExtraBlocksEverySignInDerives() {
        accepted(password("pbkdf2-sha512", 525_000, 128));
        refused(password("pbkdf2-sha512", 525_001, 128), "ceiling for pbkdf2-sha512");
    }

    @Test
    void theCeilingIsAConstructorParameter() {
        CredentialSanity strict = new CredentialSanity(1);

        assertThatCode(() -> strict.check(password("pbkdf2-sha512", 210_000, 64))).doesNotThrowAnyException();
        refused(strict, password("pbkdf2-sha512", 210_001, 64), "at most 1 times Keycloak's default (210000 iterations");
        assertThatThrownBy(() -> new CredentialSanity(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anUnknownAlgorithmGetsTheLargestDefaultsCeiling() {
        accepted(password("bcrypt", 12, 60));
        refused(password("bcrypt", 6_500_001, 60), "for a hash algorithm it does not know: at most 6500000");
    }

    @Test
    void aPasswordNeedsASaltAndABase64Hash() {
        refused(model("password", "{\"algorithm\":\"pbkdf2-sha512\",\"hashIterations\":1}", "{\"value\":\"" + hash(64) + "\"}"),
                "password secretData has no salt, which pbkdf2-sha512 needs");
        refused(model("password", "{\"algorithm\":\"pbkdf2-sha512\",\"hashIterations\":1}", "{\"value\":\"!!SECRET??\",\"salt\":\"" + SALT + "\"}"),
                "password secretData.value is not a Base64 hash");
        refused(model("password", "{\"algorithm\":\"pbkdf2-sha512\",\"hashIterations\":\"many\"}", "{\"value\":\"SECRET\"}"),
                "password credential is not in Keycloak's stored format");
        refused(model("password", "{\"hashIterations\":1}", "{\"value\":\"SECRET\"}"), "lacks credentialData.algorithm");
    }

    // Argon2: its own parameters, bounded too.

    private static CredentialModel argon2(long iterations, String memory, String parallelism, String type, int hashBytes) {
        return model("password", "{\"algorithm\":\"argon2\",\"hashIterations\":" + iterations + ",\"additionalParameters\":{\"hashLength\":[\"32\"],"
                        + "\"memory\":[\"" + memory + "\"],\"type\":[\"" + type + "\"],\"version\":[\"1.3\"],\"parallelism\":[\"" + parallelism + "\"]}}",
                "{\"value\":\"" + hash(hashBytes) + "\",\"salt\":\"" + SALT + "\"}");
    }

    @Test
    void argon2AtKeycloaksDefaultsOrOwaspsAlternativesIsAccepted() {
        accepted(argon2(5, "7168", "1", "id", 32));
        accepted(argon2(1, "47104", "1", "id", 32));
        accepted(argon2(2, "19456", "1", "id", 32));
    }

    @Test
    void argon2BeyondTheCeilingOrWithBrokenParametersIsRefused() {
        refused(argon2(3, "65536", "1", "id", 32), "argon2 password memory times iterations is above this replica's ceiling");
        refused(argon2(1000, "7168", "1", "id", 32), "memory times iterations");
        refused(argon2(5, "lots", "1", "id", 32), "needs version, type, hashLength, memory and parallelism");
        refused(argon2(5, "7168", "17", "id", 32), "argon2 password parallelism must be 1 to 16");
        refused(argon2(5, "7168", "1", "x", 32), "argon2 password version must be one of");
        refused(argon2(5, "7168", "1", "id", 16), "is not a Base64 hash of hashLength bytes");
        refused(argon2(5, "4", "1", "id", 32), "with at least 8 KiB per lane");
    }

    // OTP: what Keycloak computes and its admin console offers.

    private static CredentialModel otp(String subType, int digits, int period, String algorithm, String secretData) {
        return model("otp", "{\"subType\":\"" + subType + "\",\"digits\":" + digits + ",\"counter\":0,\"period\":" + period
                + ",\"algorithm\":\"" + algorithm + "\"}", secretData);
    }

    @Test
    void aKeycloakOtpIsAccepted() {
        accepted(otp("totp", 6, 30, "HmacSHA1", "{\"value\":\"SECRET-SEED\"}"));
        accepted(otp("totp", 8, 120, "HmacSHA512", "{\"value\":\"SECRET-SEED\"}"));
        accepted(otp("hotp", 6, 0, "HmacSHA256", "{\"value\":\"SECRET-SEED\"}"));
        accepted(model("otp", "{\"subType\":\"totp\",\"digits\":6,\"period\":30,\"algorithm\":\"HmacSHA1\",\"secretEncoding\":\"BASE32\"}",
                "{\"value\":\"JBSWY3DPEHPK3PXP\"}"));
    }

    @Test
    void otpOutsideWhatKeycloakComputesIsRefused() {
        refused(otp("totp", 5, 30, "HmacSHA1", "{\"value\":\"SECRET\"}"), "otp credentialData.digits must be 6 to 8");
        refused(otp("totp", 9, 30, "HmacSHA1", "{\"value\":\"SECRET\"}"), "digits must be 6 to 8");
        refused(otp("totp", 6, 0, "HmacSHA1", "{\"value\":\"SECRET\"}"), "otp credentialData.period must be 1 to 120 seconds");
        refused(otp("totp", 6, 121, "HmacSHA1", "{\"value\":\"SECRET\"}"), "period must be 1 to 120");
        refused(otp("totp", 6, 30, "SECRET-MD5", "{\"value\":\"SECRET\"}"), "otp credentialData.algorithm must be one of [HmacSHA1, HmacSHA256, HmacSHA512]");
        refused(otp("SECRET-sms", 6, 30, "HmacSHA1", "{\"value\":\"SECRET\"}"), "otp credentialData.subType must be totp or hotp");
        refused(otp("totp", 6, 30, "HmacSHA1", "{\"value\":\"\"}"), "otp secretData.value does not decode");
        refused(model("otp", "{\"subType\":\"hotp\",\"digits\":6,\"counter\":-1,\"algorithm\":\"HmacSHA1\"}", "{\"value\":\"SECRET\"}"),
                "otp credentialData.counter must not be negative");
        refused(model("otp", "{\"subType\":\"totp\",\"digits\":6,\"period\":30,\"algorithm\":\"HmacSHA1\",\"secretEncoding\":\"ROT13\"}",
                "{\"value\":\"SECRET\"}"), "otp secretData.value does not decode as credentialData.secretEncoding says");
        refused(model("otp", "[]", "{\"value\":\"SECRET\"}"), "otp credential is not in Keycloak's stored format");
    }

    // WebAuthn: the credential id and public key decode as Keycloak decodes them at every sign-in.

    private static String coseKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        ECPublicKey publicKey = (ECPublicKey) generator.generateKeyPair().getPublic();
        return new CredentialPublicKeyConverter(new ObjectConverter()).convertToDatabaseColumn(EC2COSEKey.create(publicKey, COSEAlgorithmIdentifier.ES256));
    }

    private static CredentialModel webauthn(String type, String aaguid, String credentialId, String publicKey, long counter) {
        return WebAuthnCredentialModel.create(type, "key", aaguid, credentialId, null, publicKey, counter, "none");
    }

    @Test
    void aWebAuthnCredentialAsKeycloakStoresItIsAccepted() throws Exception {
        String key = coseKey();
        String id = Base64.getEncoder().encodeToString(new byte[]{1, 2, 3, 4});

        accepted(webauthn("webauthn", "00000000-0000-0000-0000-000000000000", id, key, 0));
        accepted(webauthn("webauthn-passwordless", "2fc0579f-8113-47ea-b116-bb5a8db9202a", id, key, 7));
    }

    @Test
    void aWebAuthnCredentialWithMeaninglessDataIsRefused() throws Exception {
        String key = coseKey();
        String id = Base64.getEncoder().encodeToString(new byte[]{1, 2, 3, 4});
        String zero = "00000000-0000-0000-0000-000000000000";

        refused(model("webauthn", "{}", "{}"), "webauthn credentialData.credentialId is missing or not Base64");
        refused(webauthn("webauthn", zero, "", key, 0), "credentialId is missing or not Base64");
        refused(webauthn("webauthn", "SECRET-not-a-uuid", id, key, 0), "webauthn credentialData.aaguid is missing or not a UUID");
        refused(webauthn("webauthn-passwordless", zero, id, "AAAA", 0),
                "webauthn-passwordless credentialData.credentialPublicKey is missing or not a public COSE key");
        refused(webauthn("webauthn", zero, id, "SECRET not base64url!", 0), "credentialPublicKey is missing or not a public COSE key");
        refused(webauthn("webauthn", zero, id, null, 0), "credentialPublicKey is missing");
        refused(webauthn("webauthn", zero, id, key, -1), "webauthn credentialData.counter must not be negative");
        refused(model("webauthn", "{\"counter\":\"SECRET\"}", "{}"), "webauthn credential is not in Keycloak's stored format");
    }

    // Recovery codes: Keycloak's model reads them and every code is a SHA-512 hash.

    @Test
    void recoveryCodesAsKeycloakStoresThemAreAccepted() {
        accepted(RecoveryAuthnCodesCredentialModel.createFromValues(List.of("AAAABBBBCCCC", "DDDDEEEEFFFF"), 1L, null));
    }

    @Test
    void recoveryCodesKeycloakCouldNotCompareAreRefused() {
        String data = "{\"hashIterations\":null,\"algorithm\":\"SHA-512\",\"totalCodes\":1,\"remainingCodes\":1}";

        refused(model("recovery-authn-codes", data, "{\"codes\":[{\"number\":1,\"encodedHashedValue\":\"SECRET\"}]}"),
                "recovery-authn-codes secretData holds a code that is not a Base64 SHA-512 hash");
        refused(model("recovery-authn-codes", data, "{}"), "recovery-authn-codes secretData lacks its codes");
        refused(model("recovery-authn-codes", data, "{\"codes\":\"SECRET\"}"), "recovery-authn-codes credential is not in Keycloak's stored format");
    }

    @Test
    void otherTypesAreLeftToTheirProviders() {
        accepted(model("kerberos", "{}", "{}"));
    }

    @Test
    void theCeilingSettingIsAWholeFactorWithinItsRange() {
        Assertions.assertThat(CredentialSanity.costFactorSetting(null)).isEqualTo(CredentialSanity.DEFAULT_MAX_HASH_COST_FACTOR);
        Assertions.assertThat(CredentialSanity.costFactorSetting(" 2 ")).isEqualTo(2);
        for (String bad : new String[]{"0", "101", "two", "1.5"}) {
            Assertions.assertThatThrownBy(() -> CredentialSanity.costFactorSetting(bad))
                    .hasMessageStartingWith("Password hashing cost ceiling must be a whole number from 1 to 100");
        }
    }
}
