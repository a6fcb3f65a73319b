package io.lifeboat.store.replication;

import io.lifeboat.store.StoreException;
import io.lifeboat.store.chunk.Digest;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.SortedMap;

/**
 * One bucket on AWS S3 or an S3-compatible server, through the AWS SDK v2.
 *
 * <p>Uploads carry the SHA-256 ({@code x-amz-checksum-sha256}) and the Content-MD5 of the body
 * (of each part, for multipart uploads), computed by us before sending, as headers rather than an
 * aws-chunked trailer. The server checks them before it stores anything, so a body damaged on the
 * way is refused, not stored. S3Proxy 4.1.0 checks both (400 for a wrong SHA-256, BadDigest for
 * a wrong MD5; see docs/replication.md); Content-MD5 is also the one every older S3-compatible
 * server checks. Downloads are not trusted on the server's word: callers check
 * what they read against the store's own formats (pack id = SHA-256 of the footer, CRC32C and
 * SHA-256 per frame, SHA-256 at the end of each manifest).
 *
 * <p>Requests are retried by the SDK's standard strategy: up to {@link S3Settings#maxAttempts}
 * attempts on 5xx, throttling and connection errors, with exponential backoff and full jitter.
 * An attempt that has not completed within {@link S3Settings#effectiveAttemptTimeout()} (a stalled
 * response) is abandoned and counts as one failed attempt.
 */
public final class S3Target implements AutoCloseable {
    private static final String BINARY = "application/octet-stream";

    private final S3Settings settings;
    private final S3Client s3;
    private final Throttle throttle;

    public S3Target(S3Settings settings, ExecutionInterceptor... interceptors) {
        this.settings = settings;
        this.throttle = new Throttle(settings.bytesPerSecond());
        BackoffStrategy backoff = BackoffStrategy.exponentialDelay(S3Settings.BACKOFF_BASE, S3Settings.BACKOFF_MAX);
        S3ClientBuilder b = S3Client.builder()
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials(settings))
                .forcePathStyle(settings.pathStyle())
                // We send our own Content-MD5; the SDK's default CRC32 trailer (aws-chunked encoding)
                // is not understood by every S3-compatible server.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(o -> {
                    // A server that takes a request and never answers would otherwise hold the
                    // attempt until the socket read timeout, or forever while it trickles bytes.
                    o.apiCallAttemptTimeout(settings.effectiveAttemptTimeout());
                    o.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                            .maxAttempts(settings.maxAttempts())
                            .backoffStrategy(backoff)
                            .throttlingBackoffStrategy(backoff)
                            .circuitBreakerEnabled(false)
                            .build());
                    for (ExecutionInterceptor i : interceptors) {
                        o.addExecutionInterceptor(i);
                    }
                });
        if (settings.endpoint() != null) {
            b.endpointOverride(settings.endpoint());
        }
        this.s3 = b.build();
    }

    private static AwsCredentialsProvider credentials(S3Settings s) {
        return s.accessKey() != null
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(s.accessKey(), s.secretKey()))
                : DefaultCredentialsProvider.builder().build();
    }

    public S3Settings settings() {
        return settings;
    }

    /**
     * Checks that the endpoint answers, the credentials are accepted and the bucket exists and
     * can be listed; throws one clear message naming which of those failed.
     */
    public void testConnection() throws StoreException {
        try {
            s3.headBucket(r -> r.bucket(settings.bucket()));
            s3.listObjectsV2(r -> r.bucket(settings.bucket()).maxKeys(1));
        } catch (SdkException e) {
            throw failure("connecting to " + settings.where(), null, e);
        }
    }

    /** Uploads a small object from memory. */
    public void put(String key, byte[] bytes) throws StoreException {
        try {
            s3.putObject(r -> r.bucket(settings.bucket()).key(key).contentLength((long) bytes.length)
                            .contentType(BINARY).contentMD5(md5(bytes, bytes.length))
                            .checksumSHA256(sha256(bytes, bytes.length)),
                    body(bytes, bytes.length));
        } catch (SdkException e) {
            throw failure("uploading " + key, key, e);
        }
    }

    /** Uploads a file, in parts if it is larger than the multipart threshold. Returns its size. */
    public long put(String key, Path file) throws StoreException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size <= settings.multipartThreshold()) {
                byte[] all = readFully(ch, 0, (int) size);
                put(key, all);
                return size;
            }
            putMultipart(key, ch, size);
            return size;
        } catch (IOException e) {
            throw StoreException.io("uploading " + file + " to " + key, e);
        }
    }

    private void putMultipart(String key, FileChannel ch, long size) throws IOException {
        String upload;
        try {
            upload = s3.createMultipartUpload(r -> r.bucket(settings.bucket()).key(key).contentType(BINARY)
                    .checksumAlgorithm(ChecksumAlgorithm.SHA256)).uploadId();
        } catch (SdkException e) {
            throw failure("starting the upload of " + key, key, e);
        }
        boolean done = false;
        try {
            List<CompletedPart> parts = new ArrayList<>();
            byte[] buf = new byte[(int) settings.partSize()];
            int number = 1;
            for (long off = 0; off < size; off += settings.partSize(), number++) {
                int len = (int) Math.min(settings.partSize(), size - off);
                readFully(ch, off, buf, len);
                int n = number;
                String md5 = md5(buf, len);
                String sha = sha256(buf, len);
                String etag = s3.uploadPart(r -> r.bucket(settings.bucket()).key(key).uploadId(upload)
                        .partNumber(n).contentLength((long) len).contentMD5(md5).checksumSHA256(sha), body(buf, len)).eTag();
                parts.add(CompletedPart.builder().partNumber(n).eTag(etag).checksumSHA256(sha).build());
            }
            s3.completeMultipartUpload(r -> r.bucket(settings.bucket()).key(key).uploadId(upload)
                    .multipartUpload(m -> m.parts(parts)));
            done = true;
        } catch (SdkException e) {
            throw failure("uploading " + key, key, e);
        } finally {
            if (!done) {
                try {
                    s3.abortMultipartUpload(r -> r.bucket(settings.bucket()).key(key).uploadId(upload));
                } catch (SdkException ignored) {
                    // the bucket's lifecycle rule for incomplete uploads cleans up what this cannot
                }
            }
        }
    }

    private RequestBody body(byte[] bytes, int len) {
        return RequestBody.fromContentProvider(() -> throttle.wrap(new ByteArrayInputStream(bytes, 0, len)), len, BINARY);
    }

    /** The whole object. */
    public byte[] get(String key) throws StoreException {
        try {
            return s3.getObjectAsBytes(r -> r.bucket(settings.bucket()).key(key)).asByteArray();
        } catch (SdkException e) {
            throw failure("downloading " + key, key, e);
        }
    }

    /** {@code length} bytes from {@code offset}; fewer only if the object ends first. */
    public byte[] getRange(String key, long offset, long length) throws StoreException {
        if (length <= 0) {
            return new byte[0];
        }
        return ranged(key, "bytes=" + offset + "-" + (offset + length - 1));
    }

    /** The last {@code length} bytes (all of it if the object is shorter). */
    public byte[] getTail(String key, long length) throws StoreException {
        return ranged(key, "bytes=-" + length);
    }

    private byte[] ranged(String key, String range) throws StoreException {
        try {
            return s3.getObjectAsBytes(r -> r.bucket(settings.bucket()).key(key).range(range)).asByteArray();
        } catch (SdkException e) {
            throw failure("downloading " + range + " of " + key, key, e);
        }
    }

    /** Streams the object into {@code target} (replaced). Returns its size. */
    public long download(String key, Path target) throws StoreException {
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(r -> r.bucket(settings.bucket()).key(key))) {
            return Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (SdkException e) {
            throw failure("downloading " + key, key, e);
        } catch (IOException e) {
            throw StoreException.io("downloading " + key + " to " + target, e);
        }
    }

    /** The object's size, or empty if there is no such object. */
    public Optional<Long> head(String key) throws StoreException {
        try {
            return Optional.of(s3.headObject(r -> r.bucket(settings.bucket()).key(key)).contentLength());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404 && !"NoSuchBucket".equals(code(e))) {
                return Optional.empty();
            }
            throw failure("looking up " + key, key, e);
        } catch (SdkException e) {
            throw failure("looking up " + key, key, e);
        }
    }

    public boolean exists(String key) throws StoreException {
        return head(key).isPresent();
    }

    /** Every key under {@code prefix} with its size, in key order. */
    public SortedMap<String, Long> list(String prefix) throws StoreException {
        SortedMap<String, Long> out = new TreeMap<>();
        try {
            for (S3Object o : s3.listObjectsV2Paginator(r -> r.bucket(settings.bucket()).prefix(prefix)).contents()) {
                out.put(o.key(), o.size());
            }
        } catch (SdkException e) {
            throw failure("listing " + prefix + " in " + settings.where(), null, e);
        }
        return out;
    }

    public void delete(String key) throws StoreException {
        try {
            s3.deleteObject(r -> r.bucket(settings.bucket()).key(key));
        } catch (SdkException e) {
            throw failure("deleting " + key, key, e);
        }
    }

    /** Turns an SDK failure into one message a user can act on. */
    private StoreException failure(String doing, String key, SdkException e) {
        if (e instanceof S3Exception s) {
            String code = code(s);
            int status = s.statusCode();
            if ("InvalidAccessKeyId".equals(code) || "SignatureDoesNotMatch".equals(code)
                    || "AccessDenied".equals(code) || status == 403) {
                return new StoreException(StoreException.Kind.BAD_INPUT, doing + ": access denied to "
                        + settings.where() + (code.isEmpty() ? "" : " (" + code + ")")
                        + "; check the access key, the secret key and the bucket's permissions", e);
            }
            if ("NoSuchBucket".equals(code) || (status == 404 && key == null)) {
                return new StoreException(StoreException.Kind.NOT_FOUND, doing + ": " + settings.where()
                        + " does not exist; create it first (Lifeboat does not create buckets)", e);
            }
            if (status == 404) {
                return new StoreException(StoreException.Kind.NOT_FOUND, doing + ": no object " + key + " in " + settings.where(), e);
            }
            if ("BadDigest".equals(code) || "InvalidDigest".equals(code)) {
                return new StoreException(StoreException.Kind.CORRUPT, doing + ": the server received a damaged body ("
                        + code + ") and did not store it", e);
            }
            return new StoreException(StoreException.Kind.IO, doing + ": " + settings.where() + " answered HTTP " + status
                    + (code.isEmpty() ? "" : " " + code) + ": " + s.awsErrorDetails().errorMessage(), e);
        }
        Throwable root = rootCause(e);
        if (e instanceof SdkClientException && (root instanceof ConnectException || root instanceof UnknownHostException)) {
            return new StoreException(StoreException.Kind.IO, doing + ": cannot reach "
                    + (settings.endpoint() == null ? "AWS S3" : settings.endpoint()) + " (" + root.getMessage() + ")", e);
        }
        return new StoreException(StoreException.Kind.IO, doing + ": " + e.getMessage(), e);
    }

    private static String code(S3Exception e) {
        String c = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        return c == null ? "" : c;
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static String md5(byte[] b, int len) {
        try {
            return base64(MessageDigest.getInstance("MD5"), b, len);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks MD5", e);
        }
    }

    private static String sha256(byte[] b, int len) {
        return base64(Digest.newSha256(), b, len);
    }

    private static String base64(MessageDigest md, byte[] b, int len) {
        md.update(b, 0, len);
        return Base64.getEncoder().encodeToString(md.digest());
    }

    private static byte[] readFully(FileChannel ch, long pos, int len) throws IOException {
        byte[] b = new byte[len];
        readFully(ch, pos, b, len);
        return b;
    }

    private static void readFully(FileChannel ch, long pos, byte[] dst, int len) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(dst, 0, len);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) {
                throw new IOException("file shrank while being uploaded");
            }
        }
    }

    @Override
    public void close() {
        s3.close();
    }
}
