package io.lifeboat.store.replication;

import io.lifeboat.store.StoreException;
import io.lifeboat.store.chunk.Digest;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.auth.scheme.S3AuthSchemeProvider;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
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
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.SortedMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One bucket on AWS S3 or an S3-compatible server, through the AWS SDK v2.
 *
 * <p><b>Uploads are confirmed, not trusted.</b> A 200 to a PUT only says the server took a body;
 * servers that do not decode an encoding the SDK used store the encoding itself (the aws-chunked
 * frames of a streaming upload, a trailing checksum) and answer 200 all the same. So every upload
 * is read back before {@code put} returns ({@link UploadCheck}): the size from a HEAD, the ETag
 * where the server's ETags are MD5s, and the object's first bytes, last bytes and a sampled window
 * of each part compared with what was sent (small objects whole). An object that does not read
 * back is removed and the upload fails with what the server did and what to set.
 *
 * <p><b>How uploads are encoded</b> is {@link S3Compatibility}: signed payloads without aws-chunked
 * encoding by default, chosen by a {@linkplain #probe() probe} before the first upload (a small
 * object written with each candidate, read back, compared and deleted). Uploads carry our own
 * Content-MD5 and, unless the server refuses it, {@code x-amz-checksum-sha256} (of each part, for
 * multipart uploads) as headers, so a server that checks them refuses a body damaged on the way.
 * The SDK's own CRC checksums are off unless asked for ("when required"). Downloads are not
 * trusted on the server's word either: callers check what they read against the store's own
 * formats (pack id = SHA-256 of the footer, CRC32C and SHA-256 per frame, SHA-256 at the end of
 * each manifest).
 *
 * <p>Requests are retried by the SDK's standard strategy: up to {@link S3Settings#maxAttempts}
 * attempts on 5xx, throttling and connection errors, with exponential backoff and full jitter.
 * An attempt that has not completed within {@link S3Settings#effectiveAttemptTimeout()} (a stalled
 * response) is abandoned and counts as one failed attempt. A listing is read page by page, each
 * page retried alike; one that still fails fails the whole listing, never a shorter one.
 */
public final class S3Target implements AutoCloseable {
    private static final String BINARY = "application/octet-stream";

    private final S3Settings settings;
    private final ExecutionInterceptor[] interceptors;
    private final Throttle throttle;
    /** Reads, listings, deletes; and uploads whenever payloads are signed. */
    private final S3Client s3;
    /** One client per payload encoding that uploads have used; {@link #s3} is the SIGNED one. */
    private final Map<S3Compatibility.Payload, S3Client> clients = new EnumMap<>(S3Compatibility.Payload.class);
    /** The probe's result, once it ran: how uploads are encoded, and what the server's ETags are. */
    private volatile Probe probed;

    public S3Target(S3Settings settings, ExecutionInterceptor... interceptors) {
        this.settings = settings;
        this.interceptors = interceptors.clone();
        this.throttle = new Throttle(settings.bytesPerSecond());
        this.s3 = client(S3Compatibility.Payload.SIGNED);
        clients.put(S3Compatibility.Payload.SIGNED, s3);
    }

    private S3Client client(S3Compatibility.Payload payload) {
        BackoffStrategy backoff = BackoffStrategy.exponentialDelay(S3Settings.BACKOFF_BASE, S3Settings.BACKOFF_MAX);
        boolean sdkChecksums = settings.compatibility().sdkChecksums();
        S3ClientBuilder b = S3Client.builder()
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials(settings))
                .forcePathStyle(settings.pathStyle())
                // Our own Content-MD5 and SHA-256 headers cover the body; the SDK's default CRC32
                // trailer (aws-chunked encoding) is not understood by every S3-compatible server.
                .requestChecksumCalculation(sdkChecksums ? RequestChecksumCalculation.WHEN_SUPPORTED
                        : RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(sdkChecksums ? ResponseChecksumValidation.WHEN_SUPPORTED
                        : ResponseChecksumValidation.WHEN_REQUIRED)
                .serviceConfiguration(S3Configuration.builder()
                        .chunkedEncodingEnabled(payload == S3Compatibility.Payload.STREAMING).build())
                .authSchemeProvider(signing(payload))
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
        return b.build();
    }

    /** SigV4 as {@code payload} says: the body's hash signed or not, in aws-chunked frames or not. */
    private static S3AuthSchemeProvider signing(S3Compatibility.Payload payload) {
        S3AuthSchemeProvider defaults = S3AuthSchemeProvider.defaultProvider();
        boolean sign = payload != S3Compatibility.Payload.UNSIGNED;
        boolean chunked = payload == S3Compatibility.Payload.STREAMING;
        return params -> defaults.resolveAuthScheme(params).stream()
                .map(o -> o.toBuilder()
                        .putSignerProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, sign)
                        .putSignerProperty(AwsV4FamilyHttpSigner.CHUNK_ENCODING_ENABLED, chunked)
                        .build())
                .toList();
    }

    private synchronized S3Client clientFor(S3Compatibility.Payload payload) {
        return clients.computeIfAbsent(payload, this::client);
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

    /**
     * How uploads to this server are encoded: the settings' choice, with what they leave to
     * {@code AUTO} found by writing a small object with each candidate in turn, reading it back
     * whole, comparing and deleting it; the first candidate the server stores exactly is kept for
     * every later upload of this target. Runs once per target (before its first upload, or when
     * called); throws if no candidate works, with what each one did.
     */
    public Probe probe() throws StoreException {
        Probe p = probed;
        if (p == null) {
            synchronized (this) {
                p = probed;
                if (p == null) {
                    p = ServerProbe.run(this);
                    probed = p;
                }
            }
        }
        return p;
    }

    /**
     * What the probe found.
     *
     * @param chosen    the encoding every upload uses
     * @param md5Etags  whether the server's ETag of a single PUT is the MD5 of the body (then it is checked too)
     * @param attempts  each candidate tried, in order, with what happened
     */
    public record Probe(S3Compatibility chosen, boolean md5Etags, List<Attempt> attempts) {
        /** One candidate: {@code problem} is null if the server stored the probe object exactly. */
        public record Attempt(S3Compatibility tried, String problem) {
        }

        public String summary() {
            StringBuilder b = new StringBuilder("uploads use " + chosen.describe());
            for (Attempt a : attempts) {
                if (a.problem() != null) {
                    b.append("; ").append(a.tried().describe()).append(" refused: ").append(a.problem());
                }
            }
            return b.toString();
        }
    }

    /** Uploads a small object from memory and confirms the server holds it as sent. */
    public void put(String key, byte[] bytes) throws StoreException {
        Probe p = probe();
        putSingle(p.chosen(), key, bytes);
        UploadCheck.confirm(this, p, key, UploadCheck.Sent.of(bytes));
    }

    /** One PUT of {@code bytes} encoded as {@code c}, nothing confirmed. */
    void putSingle(S3Compatibility c, String key, byte[] bytes) throws StoreException {
        try {
            clientFor(c.payload()).putObject(r -> {
                r.bucket(settings.bucket()).key(key).contentLength((long) bytes.length)
                        .contentType(BINARY).contentMD5(md5(bytes, bytes.length));
                if (c.sendsSha256()) {
                    r.checksumSHA256(sha256(bytes, bytes.length));
                }
            }, body(c, bytes, bytes.length));
        } catch (SdkException e) {
            throw failure("uploading " + key, key, e);
        }
    }

    /**
     * Uploads a file, in parts if it is larger than the multipart threshold, and confirms the
     * server holds it as sent. Returns its size.
     */
    public long put(String key, Path file) throws StoreException {
        Probe p = probe();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size <= settings.multipartThreshold()) {
                byte[] all = readFully(ch, 0, (int) size);
                putSingle(p.chosen(), key, all);
                UploadCheck.confirm(this, p, key, UploadCheck.Sent.of(all));
                return size;
            }
            UploadCheck.Sent sent = putMultipart(p.chosen(), key, ch, size);
            UploadCheck.confirm(this, p, key, sent);
            return size;
        } catch (IOException e) {
            throw StoreException.io("uploading " + file + " to " + key, e);
        }
    }

    private UploadCheck.Sent putMultipart(S3Compatibility c, String key, FileChannel ch, long size) throws IOException {
        S3Client client = clientFor(c.payload());
        String upload;
        try {
            upload = client.createMultipartUpload(r -> {
                r.bucket(settings.bucket()).key(key).contentType(BINARY);
                if (c.sendsSha256()) {
                    r.checksumAlgorithm(ChecksumAlgorithm.SHA256);
                }
            }).uploadId();
        } catch (SdkException e) {
            throw failure("starting the upload of " + key, key, e);
        }
        boolean done = false;
        try {
            List<CompletedPart> parts = new ArrayList<>();
            UploadCheck.Sent.Builder sent = UploadCheck.Sent.file(ch, size);
            byte[] buf = new byte[(int) settings.partSize()];
            int number = 1;
            for (long off = 0; off < size; off += settings.partSize(), number++) {
                int len = (int) Math.min(settings.partSize(), size - off);
                readFully(ch, off, buf, len);
                int n = number;
                byte[] partMd5 = digest(md5(), buf, len);
                sent.part(off, len, partMd5, buf);
                String md5 = Base64.getEncoder().encodeToString(partMd5);
                String sha = c.sendsSha256() ? sha256(buf, len) : null;
                Consumer<UploadPartRequest.Builder> part = r -> {
                    r.bucket(settings.bucket()).key(key).uploadId(upload)
                            .partNumber(n).contentLength((long) len).contentMD5(md5);
                    if (sha != null) {
                        r.checksumSHA256(sha);
                    }
                };
                String etag = client.uploadPart(part, body(c, buf, len)).eTag();
                parts.add(CompletedPart.builder().partNumber(n).eTag(etag).checksumSHA256(sha).build());
            }
            client.completeMultipartUpload(r -> r.bucket(settings.bucket()).key(key).uploadId(upload)
                    .multipartUpload(m -> m.parts(parts)));
            done = true;
            return sent.build();
        } catch (SdkException e) {
            throw failure("uploading " + key, key, e);
        } finally {
            if (!done) {
                try {
                    client.abortMultipartUpload(r -> r.bucket(settings.bucket()).key(key).uploadId(upload));
                } catch (SdkException ignored) {
                    // the bucket's lifecycle rule for incomplete uploads cleans up what this cannot
                }
            }
        }
    }

    /**
     * The request body, under the bandwidth limit. A signed payload is read twice: once by the
     * SDK's signer to hash it, then to send it; only what is sent counts against the limit.
     */
    private RequestBody body(S3Compatibility c, byte[] bytes, int len) {
        AtomicBoolean hashed = new AtomicBoolean(c.payload() != S3Compatibility.Payload.SIGNED);
        return RequestBody.fromContentProvider(() -> {
            InputStream in = new ByteArrayInputStream(bytes, 0, len);
            return hashed.getAndSet(true) ? throttle.wrap(in) : in;
        }, len, BINARY);
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
        return ranged(key, offset, length);
    }

    /**
     * The last {@code length} bytes of an object of {@code size} bytes (all of it if it is shorter),
     * asked for as an explicit range: some servers (s3rver) answer a suffix range
     * ({@code bytes=-N}) with the first bytes instead.
     */
    public byte[] getTail(String key, long size, long length) throws StoreException {
        long n = Math.min(size, length);
        return n <= 0 ? new byte[0] : ranged(key, size - n, n);
    }

    /**
     * A ranged GET whose answer is checked to be that range: a server that ignores the Range
     * header, or answers another range, must not hand other bytes to a caller that trusts offsets.
     */
    private byte[] ranged(String key, long offset, long length) throws StoreException {
        String range = "bytes=" + offset + "-" + (offset + length - 1);
        ResponseBytes<GetObjectResponse> r;
        try {
            r = s3.getObject(q -> q.bucket(settings.bucket()).key(key).range(range), ResponseTransformer.toBytes());
        } catch (SdkException e) {
            throw failure("downloading " + range + " of " + key, key, e);
        }
        byte[] bytes = r.asByteArray();
        String answered = r.response().contentRange();
        boolean asAsked = answered == null
                ? bytes.length <= length && offset == 0 // a whole object no longer than the range is that range
                : answered.startsWith("bytes " + offset + "-") && bytes.length <= length;
        if (!asAsked) {
            throw new StoreException(StoreException.Kind.IO, "downloading " + range + " of " + key + ": " + settings.where()
                    + " answered with " + (answered == null ? "the whole object (" + bytes.length + " bytes)" : "range " + answered)
                    + " instead; the server does not serve byte ranges as asked");
        }
        return bytes;
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
        return stat(key).map(Stat::size);
    }

    /**
     * What a HEAD says of an object.
     *
     * @param etag        as the server gives it, without quotes (null if it gave none)
     * @param etagIsDigest false where even AWS S3's ETag is not an MD5 of the data (SSE-KMS, SSE-C)
     */
    record Stat(long size, String etag, boolean etagIsDigest) {
    }

    Optional<Stat> stat(String key) throws StoreException {
        try {
            HeadObjectResponse h = s3.headObject(r -> r.bucket(settings.bucket()).key(key));
            String etag = h.eTag() == null ? null : h.eTag().replace("\"", "");
            boolean kms = h.serverSideEncryptionAsString() != null && h.serverSideEncryptionAsString().startsWith("aws:kms");
            return Optional.of(new Stat(h.contentLength(), etag, !kms && h.sseCustomerAlgorithm() == null));
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

    /**
     * Every key under {@code prefix} with its size, in key order. Each page is retried like any
     * request; a page that still fails, or a listing the server says goes on without saying
     * where, fails the whole listing: a partial one is never returned as if it were all.
     */
    public SortedMap<String, Long> list(String prefix) throws StoreException {
        SortedMap<String, Long> out = new TreeMap<>();
        int pages = 0;
        try {
            for (ListObjectsV2Response page : s3.listObjectsV2Paginator(r -> r.bucket(settings.bucket()).prefix(prefix)
                    .maxKeys(settings.listPageSize()))) {
                pages++;
                for (S3Object o : page.contents()) {
                    out.put(o.key(), o.size());
                }
                if (Boolean.TRUE.equals(page.isTruncated()) && (page.nextContinuationToken() == null
                        || page.nextContinuationToken().isEmpty())) {
                    throw new StoreException(StoreException.Kind.IO, "listing " + prefix + " in " + settings.where()
                            + ": page " + pages + " says the listing goes on but gives no continuation token;"
                            + " the server's listing cannot be read to its end");
                }
            }
        } catch (SdkException e) {
            throw failure("listing " + prefix + " in " + settings.where() + ": page " + (pages + 1) + " failed after "
                    + settings.maxAttempts() + " attempt(s), with " + out.size() + " key(s) read before it (the listing is"
                    + " incomplete and nothing was concluded from it)", null, e);
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
    StoreException failure(String doing, String key, SdkException e) {
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

    static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks MD5", e);
        }
    }

    static byte[] digest(MessageDigest md, byte[] b, int len) {
        md.update(b, 0, len);
        return md.digest();
    }

    private static String md5(byte[] b, int len) {
        return Base64.getEncoder().encodeToString(digest(md5(), b, len));
    }

    private static String sha256(byte[] b, int len) {
        return Base64.getEncoder().encodeToString(digest(Digest.newSha256(), b, len));
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
    public synchronized void close() {
        clients.values().forEach(S3Client::close);
    }
}
