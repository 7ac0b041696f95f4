package io.github.keycloakreplica.stack.upstream;

import com.fasterxml.jackson.databind.ObjectMapper;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Credentials in Keycloak's own stored format (CREDENTIAL_DATA and SECRET_DATA), as an upstream
 * authority puts them on the credential stream: a PBKDF2-SHA512 password hash as Keycloak's
 * pbkdf2-sha512 provider writes and verifies it, and a TOTP secret as Keycloak's OTP provider stores it.
 * Also computes TOTP codes, as an authenticator app does, for tests.
 */
public final class KeycloakCredentials {

    /** Keycloak's default for pbkdf2-sha512, and what the replica realm's password policy names. */
    public static final int PBKDF2_SHA512_ITERATIONS = 210_000;
    private static final int DERIVED_KEY_BITS = 512;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private KeycloakCredentials() {
    }

    /** {credentialData, secretData} of a password. */
    public record Stored(String credentialData, String secretData) {

        @Override
        public String toString() {
            return "Stored[credentialData=" + credentialData + ", secretData=<redacted>]";
        }
    }

    public static Stored password(String password) {
        return password(password, PBKDF2_SHA512_ITERATIONS);
    }

    public static Stored password(String password, int iterations) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        byte[] hash;
        try {
            hash = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512")
                    .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, DERIVED_KEY_BITS))
                    .getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot compute PBKDF2WithHmacSHA512", e);
        }
        Map<String, Object> credentialData = new LinkedHashMap<>();
        credentialData.put("hashIterations", iterations);
        credentialData.put("algorithm", "pbkdf2-sha512");
        credentialData.put("additionalParameters", Map.of());
        Map<String, Object> secretData = new LinkedHashMap<>();
        secretData.put("value", Base64.getEncoder().encodeToString(hash));
        secretData.put("salt", Base64.getEncoder().encodeToString(salt));
        secretData.put("additionalParameters", Map.of());
        return new Stored(json(credentialData), json(secretData));
    }

    /** A time-based OTP credential: 6 digits, 30 s, HmacSHA1, the secret stored as Keycloak stores it (raw text). */
    public static Stored totp(String secret) {
        Map<String, Object> credentialData = new LinkedHashMap<>();
        credentialData.put("subType", "totp");
        credentialData.put("digits", 6);
        credentialData.put("counter", 0);
        credentialData.put("period", 30);
        credentialData.put("algorithm", "HmacSHA1");
        return new Stored(json(credentialData), json(Map.of("value", secret)));
    }

    /** The code an authenticator app shows for this secret at this time (RFC 6238, 6 digits, 30 s, SHA-1). */
    public static String totpCode(String secret, long epochMillis) {
        long counter = epochMillis / 1000 / 30;
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            byte[] digest = mac.doFinal(ByteBuffer.allocate(8).putLong(counter).array());
            int offset = digest[digest.length - 1] & 0xf;
            int binary = ((digest[offset] & 0x7f) << 24) | ((digest[offset + 1] & 0xff) << 16)
                    | ((digest[offset + 2] & 0xff) << 8) | (digest[offset + 3] & 0xff);
            return String.format("%06d", binary % 1_000_000);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String json(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
