package io.lifeboat.store.replication;

import io.lifeboat.store.StoreException;
import software.amazon.awssdk.core.exception.SdkClientException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Finds how to upload to a server so that it stores exactly what is sent: for each candidate
 * encoding ({@link S3Compatibility#candidates}), best first, a probe object is written with a
 * single PUT under {@value #PREFIX}, read back whole, compared and deleted. The first candidate
 * whose object comes back byte for byte wins. The probe object is larger than one aws-chunked
 * frame (128 KiB), so a server that stores the frames of a streaming upload shows it.
 */
final class ServerProbe {
    /** Where probe objects live for the moment a probe takes; nothing else in a bucket is under it. */
    static final String PREFIX = "lifeboat-probe/";
    private static final int SIZE = (256 << 10) + 17;

    private ServerProbe() {
    }

    static S3Target.Probe run(S3Target target) throws StoreException {
        S3Settings s = target.settings();
        byte[] body = new byte[SIZE];
        ThreadLocalRandom.current().nextBytes(body);
        String md5 = HexFormat.of().formatHex(S3Target.digest(S3Target.md5(), body, body.length));
        List<S3Target.Probe.Attempt> attempts = new ArrayList<>();
        StoreException denied = null;
        java.util.Set<StoreException.Kind> kinds = java.util.EnumSet.noneOf(StoreException.Kind.class);
        for (S3Compatibility c : s.compatibility().candidates(s.endpoint())) {
            String key = PREFIX + UUID.randomUUID();
            String problem;
            boolean md5Etags = false;
            try {
                target.putSingle(c, key, body);
                try {
                    Optional<S3Target.Stat> stat = target.stat(key);
                    byte[] back = target.get(key);
                    problem = compare(body, back);
                    if (problem != null) {
                        kinds.add(StoreException.Kind.CORRUPT); // stored, but not as sent
                    }
                    md5Etags = stat.isPresent() && md5.equalsIgnoreCase(stat.get().etag());
                } finally {
                    deleteQuietly(target, key);
                }
            } catch (StoreException e) {
                if (e.getCause() instanceof SdkClientException || e.kind() == StoreException.Kind.NOT_FOUND) {
                    // unreachable, timed out, no such bucket: no encoding would do better
                    throw e;
                }
                if (e.kind() == StoreException.Kind.BAD_INPUT && denied == null) {
                    denied = e;
                }
                kinds.add(e.kind());
                problem = e.getMessage();
            }
            attempts.add(new S3Target.Probe.Attempt(c, problem));
            if (problem == null) {
                return new S3Target.Probe(c, md5Etags, List.copyOf(attempts));
            }
        }
        if (denied != null && attempts.stream().allMatch(a -> a.problem().contains("access denied"))) {
            throw denied;
        }
        StringBuilder b = new StringBuilder("no way of uploading to " + s.where() + " stores objects intact (probed "
                + attempts.size() + "):");
        boolean framing = false;
        for (S3Target.Probe.Attempt a : attempts) {
            b.append(" [").append(a.tried().describe()).append("] ").append(a.problem());
            framing |= a.problem().contains("aws-chunked framing");
        }
        if (framing) {
            b.append(" ").append(UploadCheck.advice(s.compatibility()));
        }
        // every candidate failing alike (each body damaged on the way, say) keeps that kind
        throw new StoreException(kinds.size() == 1 ? kinds.iterator().next() : StoreException.Kind.IO, b.toString());
    }

    private static String compare(byte[] sent, byte[] back) {
        if (Arrays.equals(sent, back)) {
            return null;
        }
        String framing = UploadCheck.framing(Arrays.copyOf(back, Math.min(back.length, 96)));
        String what = back.length != sent.length
                ? "the server stored " + String.format("%,d", back.length) + " bytes for the " + String.format("%,d", sent.length) + " sent"
                : "the server stored other bytes than the ones sent (first difference at byte " + Arrays.mismatch(sent, back) + ")";
        return framing.isEmpty() ? what : what + ". " + framing;
    }

    private static void deleteQuietly(S3Target target, String key) {
        try {
            target.delete(key);
        } catch (StoreException ignored) {
            // a probe object left behind is harmless: nothing reads under the probe prefix
        }
    }
}
