package io.github.keycloakreplica.apply;

import com.webauthn4j.converter.util.ObjectConverter;
import com.webauthn4j.data.attestation.authenticator.AAGUID;
import com.webauthn4j.data.attestation.authenticator.COSEKey;
import org.keycloak.common.util.MultivaluedHashMap;
import org.keycloak.credential.CredentialModel;
import org.keycloak.credential.CredentialPublicKeyConverter;
import org.keycloak.credential.hash.Pbkdf2PasswordHashProviderFactory;
import org.keycloak.credential.hash.Pbkdf2Sha256PasswordHashProviderFactory;
import org.keycloak.credential.hash.Pbkdf2Sha512PasswordHashProviderFactory;
import org.keycloak.models.credential.OTPCredentialModel;
import org.keycloak.models.credential.PasswordCredentialModel;
import org.keycloak.models.credential.RecoveryAuthnCodesCredentialModel;
import org.keycloak.models.credential.WebAuthnCredentialModel;
import org.keycloak.models.credential.dto.OTPCredentialData;
import org.keycloak.models.credential.dto.PasswordCredentialData;
import org.keycloak.models.credential.dto.PasswordSecretData;
import org.keycloak.models.credential.dto.RecoveryAuthnCodeRepresentation;
import org.keycloak.models.credential.dto.RecoveryAuthnCodesSecretData;
import org.keycloak.models.credential.dto.WebAuthnCredentialData;
import org.keycloak.models.utils.HmacOTP;
import org.keycloak.util.JsonSerialization;

import java.io.IOException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What can be checked of a replicated credential without a Keycloak session: that Keycloak's own models
 * read it, that what a sign-in will do with it is bounded (a password's hashing cost stays under a
 * ceiling), and that what a sign-in decodes (an OTP secret, a WebAuthn credential id and public key,
 * recovery code hashes) decodes. A credential that fails is refused before anything is written, so
 * it cannot make sign-in fail later or cost seconds of CPU per attempt. Messages name the field and the
 * rule, never the data: it may hold a hash or a seed.
 */
public final class CredentialSanity {

    /**
     * The default ceiling of a password's hashing cost, as a multiple of what Keycloak's default costs for
     * the same algorithm. Keycloak's defaults are OWASP's recommendations (pbkdf2-sha512 210,000 iterations,
     * pbkdf2-sha256 600,000, pbkdf2 1,300,000, argon2 5 passes over 7 MiB); five times that is beyond any
     * sensible policy and keeps one failed sign-in, which anyone can cause, well under a second of CPU.
     */
    public static final int DEFAULT_MAX_HASH_COST_FACTOR = 5;
    /** Keycloak's admin console offers an OTP period of 1 to 120 seconds. */
    static final int MAX_OTP_PERIOD_SECONDS = 120;
    /** Keycloak's HmacOTP computes at most 8 digits; its admin console offers 6 or 8. */
    static final int MIN_OTP_DIGITS = 6;
    static final int MAX_OTP_DIGITS = 8;
    static final Set<String> OTP_ALGORITHMS = Set.of(HmacOTP.HMAC_SHA1, HmacOTP.HMAC_SHA256, HmacOTP.HMAC_SHA512);

    /** Keycloak's pbkdf2 providers: default iterations and the hash's output size, which sets the cost per derived block. */
    private record Pbkdf2(int defaultIterations, int hashBytes) {
    }

    private static final Map<String, Pbkdf2> PBKDF2 = Map.of(
            Pbkdf2Sha512PasswordHashProviderFactory.ID, new Pbkdf2(Pbkdf2Sha512PasswordHashProviderFactory.DEFAULT_ITERATIONS, 64),
            Pbkdf2Sha256PasswordHashProviderFactory.ID, new Pbkdf2(Pbkdf2Sha256PasswordHashProviderFactory.DEFAULT_ITERATIONS, 32),
            Pbkdf2PasswordHashProviderFactory.ID, new Pbkdf2(Pbkdf2PasswordHashProviderFactory.DEFAULT_ITERATIONS, 20));
    /** Keycloak derives 512 bits with pbkdf2; a longer stored hash makes every sign-in derive more blocks. */
    private static final int KEYCLOAK_DERIVED_KEY_BYTES = 64;
    /** For a hash algorithm this replica does not know (a custom provider): the most iterations any of Keycloak's own defaults uses. */
    private static final int LARGEST_DEFAULT_ITERATIONS = Pbkdf2PasswordHashProviderFactory.DEFAULT_ITERATIONS;

    /**
     * Keycloak's argon2 provider (org.keycloak.crypto.hash, not on this module's class path): its id, the
     * names it writes into additionalParameters, and its defaults (Argon2Parameters).
     */
    static final String ARGON2 = "argon2";
    private static final Set<String> ARGON2_VERSIONS = Set.of("1.3", "1.0");
    private static final Set<String> ARGON2_TYPES = Set.of("id", "d", "i");
    private static final long ARGON2_DEFAULT_MEMORY_KIB = 7168;
    private static final long ARGON2_DEFAULT_ITERATIONS = 5;
    /** Argon2's smallest output, and a generous largest (Keycloak writes 32). */
    private static final int ARGON2_MIN_HASH_LENGTH = 4;
    private static final int ARGON2_MAX_HASH_LENGTH = 1024;
    /** Keycloak's default is 1; BouncyCastle, which Keycloak hashes with, computes lanes one after another, so more buy nothing. */
    private static final int ARGON2_MAX_PARALLELISM = 16;

    /** SHA-512, which Keycloak hashes recovery codes with. */
    private static final int RECOVERY_CODE_HASH_BYTES = 64;

    private final int maxHashCostFactor;

    public CredentialSanity() {
        this(DEFAULT_MAX_HASH_COST_FACTOR);
    }

    /** The component setting that sets the ceiling, as a factor of Keycloak's default cost. */
    public static final String SETTING = "passwordHashCostCeiling";
    public static final int MAX_HASH_COST_FACTOR = 100;

    /**
     * The ceiling a component's setting asks for (blank: the default).
     *
     * @throws IllegalArgumentException naming the setting and its range
     */
    public static int costFactorSetting(String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT_MAX_HASH_COST_FACTOR;
        }
        try {
            int factor = Integer.parseInt(text.trim());
            if (factor >= 1 && factor <= MAX_HASH_COST_FACTOR) {
                return factor;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("Password hashing cost ceiling must be a whole number from 1 to " + MAX_HASH_COST_FACTOR
                + " (times Keycloak's default cost for the password's algorithm).");
    }

    /**
     * @param maxHashCostFactor how many times Keycloak's default hashing cost for its algorithm a replicated
     *                          password may demand per sign-in; at least 1
     */
    public CredentialSanity(int maxHashCostFactor) {
        if (maxHashCostFactor < 1) {
            throw new IllegalArgumentException("the hashing cost ceiling must be at least Keycloak's own default (factor 1), was " + maxHashCostFactor);
        }
        this.maxHashCostFactor = maxHashCostFactor;
    }

    public int maxHashCostFactor() {
        return maxHashCostFactor;
    }

    /** Checks what this class knows of the credential's type; other types pass unchecked. */
    void check(CredentialModel model) {
        String type = model.getType();
        if (PasswordCredentialModel.TYPE.equals(type)) {
            checkPassword(model);
        } else if (OTPCredentialModel.TYPE.equals(type)) {
            checkOtp(model);
        } else if (WebAuthnCredentialModel.TYPE_TWOFACTOR.equals(type) || WebAuthnCredentialModel.TYPE_PASSWORDLESS.equals(type)) {
            checkWebAuthn(model);
        } else if (RecoveryAuthnCodesCredentialModel.TYPE.equals(type)) {
            checkRecoveryCodes(model);
        }
    }

    /** The password's hash algorithm as Keycloak reads it; call after {@link #check}. */
    static String passwordAlgorithm(CredentialModel model) {
        return PasswordCredentialModel.createFromCredentialModel(model).getPasswordCredentialData().getAlgorithm();
    }

    void checkPassword(CredentialModel model) {
        PasswordCredentialModel password;
        try {
            password = PasswordCredentialModel.createFromCredentialModel(model);
        } catch (RuntimeException e) {
            throw new EventRejectedException("password credential is not in Keycloak's stored format (credentialData or secretData do not parse)");
        }
        PasswordCredentialData data = password.getPasswordCredentialData();
        PasswordSecretData secret = password.getPasswordSecretData();
        if (data == null || data.getAlgorithm() == null || secret == null || secret.getValue() == null) {
            throw new EventRejectedException("password credential lacks credentialData.algorithm or secretData.value");
        }
        int iterations = data.getHashIterations();
        if (iterations <= 0) {
            throw new EventRejectedException("password credentialData.hashIterations must be positive");
        }
        Pbkdf2 pbkdf2 = PBKDF2.get(data.getAlgorithm());
        if (pbkdf2 != null) {
            checkPbkdf2(data.getAlgorithm(), pbkdf2, iterations, secret);
        } else if (ARGON2.equals(data.getAlgorithm())) {
            checkArgon2(iterations, data.getAdditionalParameters(), secret);
        } else if ((long) iterations > (long) maxHashCostFactor * LARGEST_DEFAULT_ITERATIONS) {
            throw new EventRejectedException("password credentialData.hashIterations is above this replica's ceiling for a hash algorithm it does not know: "
                    + "at most " + (long) maxHashCostFactor * LARGEST_DEFAULT_ITERATIONS + " (" + maxHashCostFactor
                    + " times the most iterations Keycloak uses by default)");
        }
    }

    private void checkPbkdf2(String algorithm, Pbkdf2 pbkdf2, int iterations, PasswordSecretData secret) {
        if (secret.getSalt() == null || secret.getSalt().length == 0) {
            throw new EventRejectedException("password secretData has no salt, which " + algorithm + " needs");
        }
        byte[] derived = canonicalBase64(secret.getValue());
        if (derived == null || derived.length == 0) {
            throw new EventRejectedException("password secretData.value is not a Base64 hash, so no password could ever match it");
        }
        // PBKDF2 runs all its iterations once per block of output: a longer stored hash multiplies the cost.
        long blocks = ceilDiv(derived.length, pbkdf2.hashBytes());
        long ceiling = (long) maxHashCostFactor * pbkdf2.defaultIterations() * ceilDiv(KEYCLOAK_DERIVED_KEY_BYTES, pbkdf2.hashBytes());
        if (iterations * blocks > ceiling) {
            throw new EventRejectedException("password hashing cost is above this replica's ceiling for " + algorithm + ": at most "
                    + maxHashCostFactor + " times Keycloak's default (" + pbkdf2.defaultIterations() + " iterations for a "
                    + KEYCLOAK_DERIVED_KEY_BYTES + "-byte hash), so that a sign-in cannot tie up a processor");
        }
    }

    private void checkArgon2(int iterations, MultivaluedHashMap<String, String> parameters, PasswordSecretData secret) {
        String version = parameters == null ? null : parameters.getFirst("version");
        String type = parameters == null ? null : parameters.getFirst("type");
        Integer hashLength = integer(parameters, "hashLength");
        Integer memory = integer(parameters, "memory");
        Integer parallelism = integer(parameters, "parallelism");
        if (version == null || type == null || hashLength == null || memory == null || parallelism == null) {
            throw new EventRejectedException("argon2 password credentialData.additionalParameters needs version, type, hashLength, memory and "
                    + "parallelism, each a single value as Keycloak writes them");
        }
        if (!ARGON2_VERSIONS.contains(version) || !ARGON2_TYPES.contains(type)) {
            throw new EventRejectedException("argon2 password version must be one of " + ARGON2_VERSIONS + " and type one of " + ARGON2_TYPES);
        }
        if (hashLength < ARGON2_MIN_HASH_LENGTH || hashLength > ARGON2_MAX_HASH_LENGTH) {
            throw new EventRejectedException("argon2 password hashLength must be " + ARGON2_MIN_HASH_LENGTH + " to " + ARGON2_MAX_HASH_LENGTH + " bytes");
        }
        if (parallelism < 1 || parallelism > ARGON2_MAX_PARALLELISM) {
            throw new EventRejectedException("argon2 password parallelism must be 1 to " + ARGON2_MAX_PARALLELISM);
        }
        long ceiling = maxHashCostFactor * ARGON2_DEFAULT_MEMORY_KIB * ARGON2_DEFAULT_ITERATIONS;
        if (memory < 8L * parallelism || (long) memory * iterations > ceiling) {
            throw new EventRejectedException("argon2 password memory times iterations is above this replica's ceiling: at most "
                    + maxHashCostFactor + " times Keycloak's default (" + ARGON2_DEFAULT_ITERATIONS + " passes over " + ARGON2_DEFAULT_MEMORY_KIB
                    + " KiB), with at least 8 KiB per lane");
        }
        if (secret.getSalt() == null || secret.getSalt().length == 0) {
            throw new EventRejectedException("password secretData has no salt, which argon2 needs");
        }
        byte[] hash = canonicalBase64(secret.getValue());
        if (hash == null || hash.length != hashLength) {
            throw new EventRejectedException("argon2 password secretData.value is not a Base64 hash of hashLength bytes, so no password could ever match it");
        }
    }

    void checkOtp(CredentialModel model) {
        OTPCredentialModel otp;
        try {
            otp = OTPCredentialModel.createFromCredentialModel(model);
        } catch (RuntimeException e) {
            throw new EventRejectedException("otp credential is not in Keycloak's stored format (credentialData or secretData do not parse)");
        }
        OTPCredentialData data = otp.getOTPCredentialData();
        if (data == null || otp.getOTPSecretData() == null || otp.getOTPSecretData().getValue() == null) {
            throw new EventRejectedException("otp credential lacks credentialData or secretData.value");
        }
        boolean totp = OTPCredentialModel.TOTP.equals(data.getSubType());
        if (!totp && !OTPCredentialModel.HOTP.equals(data.getSubType())) {
            throw new EventRejectedException("otp credentialData.subType must be totp or hotp");
        }
        if (!OTP_ALGORITHMS.contains(data.getAlgorithm())) {
            throw new EventRejectedException("otp credentialData.algorithm must be one of " + OTP_ALGORITHMS.stream().sorted().toList());
        }
        if (data.getDigits() < MIN_OTP_DIGITS || data.getDigits() > MAX_OTP_DIGITS) {
            throw new EventRejectedException("otp credentialData.digits must be " + MIN_OTP_DIGITS + " to " + MAX_OTP_DIGITS + " (Keycloak computes at most 8)");
        }
        if (totp && (data.getPeriod() < 1 || data.getPeriod() > MAX_OTP_PERIOD_SECONDS)) {
            throw new EventRejectedException("otp credentialData.period must be 1 to " + MAX_OTP_PERIOD_SECONDS + " seconds, as Keycloak's admin console allows");
        }
        if (!totp && data.getCounter() < 0) {
            throw new EventRejectedException("otp credentialData.counter must not be negative");
        }
        byte[] secret;
        try {
            secret = otp.getDecodedSecret();
        } catch (RuntimeException e) {
            secret = null;
        }
        if (secret == null || secret.length == 0) {
            throw new EventRejectedException("otp secretData.value does not decode as credentialData.secretEncoding says, or is empty");
        }
    }

    void checkWebAuthn(CredentialModel model) {
        WebAuthnCredentialData data;
        try {
            data = WebAuthnCredentialModel.createFromCredentialModel(model).getWebAuthnCredentialData();
        } catch (RuntimeException e) {
            throw new EventRejectedException(model.getType() + " credential is not in Keycloak's stored format (credentialData does not parse as WebAuthn data)");
        }
        if (data == null) {
            throw new EventRejectedException(model.getType() + " credential lacks credentialData");
        }
        // What Keycloak's WebAuthnCredentialProvider decodes at every sign-in, decoded the same way.
        byte[] credentialId = data.getCredentialId() == null ? null : decode(Base64.getMimeDecoder(), data.getCredentialId());
        if (credentialId == null || credentialId.length == 0) {
            throw new EventRejectedException(model.getType() + " credentialData.credentialId is missing or not Base64");
        }
        try {
            new AAGUID(data.getAaguid());
        } catch (RuntimeException e) {
            throw new EventRejectedException(model.getType() + " credentialData.aaguid is missing or not a UUID");
        }
        if (data.getCounter() < 0) {
            throw new EventRejectedException(model.getType() + " credentialData.counter must not be negative");
        }
        COSEKey key;
        try {
            key = data.getCredentialPublicKey() == null || data.getCredentialPublicKey().isEmpty() ? null
                    : WebAuthnKeys.CONVERTER.convertToEntityAttribute(data.getCredentialPublicKey());
            if (key != null) {
                key.validate();
            }
        } catch (RuntimeException e) {
            key = null;
        }
        if (key == null || !key.hasPublicKey()) {
            throw new EventRejectedException(model.getType() + " credentialData.credentialPublicKey is missing or not a public COSE key in base64url, "
                    + "as Keycloak stores it");
        }
    }

    void checkRecoveryCodes(CredentialModel model) {
        List<RecoveryAuthnCodeRepresentation> codes;
        try {
            RecoveryAuthnCodesCredentialModel.createFromCredentialModel(model);
            codes = JsonSerialization.readValue(model.getSecretData(), RecoveryAuthnCodesSecretData.class).getCodes();
        } catch (IOException | RuntimeException e) {
            throw new EventRejectedException("recovery-authn-codes credential is not in Keycloak's stored format (credentialData or secretData do not parse)");
        }
        if (codes == null) {
            throw new EventRejectedException("recovery-authn-codes secretData lacks its codes");
        }
        for (RecoveryAuthnCodeRepresentation code : codes) {
            byte[] hash = code == null || code.getEncodedHashedValue() == null ? null : decode(Base64.getMimeDecoder(), code.getEncodedHashedValue());
            if (hash == null || hash.length != RECOVERY_CODE_HASH_BYTES) {
                throw new EventRejectedException("recovery-authn-codes secretData holds a code that is not a Base64 SHA-512 hash, which Keycloak compares with");
            }
        }
    }

    private static Integer integer(MultivaluedHashMap<String, String> parameters, String name) {
        String value = parameters == null ? null : parameters.getFirst(name);
        if (value == null) {
            return null;
        }
        try {
            return Integer.valueOf(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static byte[] decode(Base64.Decoder decoder, String text) {
        try {
            return decoder.decode(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The bytes of text that is exactly what Java's Base64 encoder writes for them, or null. Keycloak
     * compares a password's hash as that text, so any other spelling could never match.
     */
    private static byte[] canonicalBase64(String text) {
        byte[] bytes = decode(Base64.getDecoder(), text);
        return bytes != null && Base64.getEncoder().encodeToString(bytes).equals(text) ? bytes : null;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /** Keycloak's converter of stored public keys, built on first use: it brings up a CBOR mapper. */
    private static final class WebAuthnKeys {
        static final CredentialPublicKeyConverter CONVERTER = new CredentialPublicKeyConverter(new ObjectConverter());
    }
}
