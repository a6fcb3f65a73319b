package io.lifeboat.store.replication;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How uploads are put on the wire, for servers that do not speak everything the AWS SDK sends by
 * default. Each choice is either fixed or {@code AUTO}: left to the {@linkplain S3Target#probe()
 * probe}, which writes a small object with each candidate in turn, reads it back, compares it and
 * deletes it, and keeps the first candidate the server stores exactly.
 *
 * <p>Whatever is chosen, every upload still carries our own Content-MD5 (and, unless omitted, our
 * {@code x-amz-checksum-sha256}) and is read back after it completes ({@link UploadCheck}), so a
 * server that stores something else than what was sent fails the run instead of passing it.
 *
 * @param payload      how the request body is signed
 * @param sha256Header whether uploads carry our {@code x-amz-checksum-sha256} header
 * @param sdkChecksums whether the SDK adds its own CRC checksums where the service supports them
 *                     (its default since 2.30; off here unless asked for, because older servers
 *                     reject or mis-store the trailing checksum it then sends)
 */
public record S3Compatibility(Payload payload, Sha256Header sha256Header, boolean sdkChecksums) {

    /** How a request body is signed (SigV4's {@code x-amz-content-sha256}). */
    public enum Payload {
        /** The probe chooses. */
        AUTO,
        /** The body's SHA-256 is computed before sending and signed: the server must check it. Needs no encoding. */
        SIGNED,
        /** {@code UNSIGNED-PAYLOAD}: only over https (the SDK signs every plain-http body). */
        UNSIGNED,
        /**
         * The SDK's default over plain http: {@code STREAMING-AWS4-HMAC-SHA256-PAYLOAD}, the body sent in
         * signed aws-chunked frames. Servers that do not decode it store the frames themselves.
         */
        STREAMING;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Whether uploads carry {@code x-amz-checksum-sha256}. */
    public enum Sha256Header {
        /** The probe chooses (sent unless the server refuses it). */
        AUTO,
        SEND,
        OMIT;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Everything left to the probe: what a new configuration gets. */
    public static final S3Compatibility AUTO = new S3Compatibility(Payload.AUTO, Sha256Header.AUTO, false);
    /** Signed payloads with our SHA-256 header: what nearly every server takes. */
    public static final S3Compatibility SIGNED = new S3Compatibility(Payload.SIGNED, Sha256Header.SEND, false);

    public S3Compatibility {
        if (payload == null || sha256Header == null) {
            throw new IllegalArgumentException("payload signing and the SHA-256 header must be given (auto to probe)");
        }
    }

    /**
     * Parses the settings' words: payload {@code auto|signed|unsigned|streaming}, SHA-256 header
     * {@code auto|send|omit}, SDK checksums {@code when-required|when-supported}. Null means auto
     * (and when-required). Throws naming the setting and the words it takes.
     */
    public static S3Compatibility parse(String payload, String sha256Header, String sdkChecksums) {
        Payload p = word(Payload.class, payload, "payload signing", "auto, signed, unsigned or streaming");
        Sha256Header h = word(Sha256Header.class, sha256Header, "SHA-256 header", "auto, send or omit");
        boolean sdk;
        if (sdkChecksums == null || sdkChecksums.isBlank() || sdkChecksums.equalsIgnoreCase("when-required")) {
            sdk = false;
        } else if (sdkChecksums.equalsIgnoreCase("when-supported")) {
            sdk = true;
        } else {
            throw new IllegalArgumentException("SDK checksums must be when-required or when-supported, got '" + sdkChecksums + "'");
        }
        return new S3Compatibility(p, h, sdk);
    }

    private static <E extends Enum<E>> E word(Class<E> type, String value, String what, String words) {
        if (value == null || value.isBlank()) {
            return Enum.valueOf(type, "AUTO");
        }
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " must be " + words + ", got '" + value + "'", e);
        }
    }

    public boolean resolved() {
        return payload != Payload.AUTO && sha256Header != Sha256Header.AUTO;
    }

    public boolean sendsSha256() {
        return sha256Header == Sha256Header.SEND;
    }

    /** Refuses what cannot work with this endpoint. */
    void checkFor(URI endpoint) {
        if (payload == Payload.UNSIGNED && endpoint != null && !"https".equalsIgnoreCase(endpoint.getScheme())) {
            throw new IllegalArgumentException("unsigned payloads need an https endpoint (the AWS SDK signs every body sent over"
                    + " plain http); use signed, or auto");
        }
    }

    /**
     * What the probe tries, best first: signed payloads (the server checks the body's hash) before
     * unsigned ones (https only) before the SDK's streaming encoding; with our SHA-256 header
     * before without it. Fixed choices are kept as they are.
     */
    List<S3Compatibility> candidates(URI endpoint) {
        List<Payload> payloads = new ArrayList<>();
        if (payload != Payload.AUTO) {
            payloads.add(payload);
        } else {
            payloads.add(Payload.SIGNED);
            if (endpoint == null || "https".equalsIgnoreCase(endpoint.getScheme())) {
                payloads.add(Payload.UNSIGNED);
            }
            payloads.add(Payload.STREAMING);
        }
        List<Sha256Header> headers = sha256Header != Sha256Header.AUTO
                ? List.of(sha256Header) : List.of(Sha256Header.SEND, Sha256Header.OMIT);
        List<S3Compatibility> out = new ArrayList<>();
        for (Payload p : payloads) {
            for (Sha256Header h : headers) {
                out.add(new S3Compatibility(p, h, sdkChecksums));
            }
        }
        return out;
    }

    /** As the settings spell it, e.g. {@code payload=signed sha256-header=send sdk-checksums=when-required}. */
    public String describe() {
        return "payload=" + payload.label() + " sha256-header=" + sha256Header.label()
                + " sdk-checksums=" + (sdkChecksums ? "when-supported" : "when-required");
    }

    @Override
    public String toString() {
        return describe();
    }
}
