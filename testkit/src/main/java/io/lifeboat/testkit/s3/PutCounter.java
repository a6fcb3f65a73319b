package io.lifeboat.testkit.s3;

import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the write requests a client sends (each attempt once); PUTs of keys under the probe
 * prefix given (the objects a target writes to probe a server) are counted apart.
 */
public final class PutCounter implements ExecutionInterceptor {
    private final String probePrefix;
    private final AtomicInteger puts = new AtomicInteger();
    private final AtomicInteger probes = new AtomicInteger();
    private final AtomicInteger parts = new AtomicInteger();
    private final AtomicInteger multipart = new AtomicInteger();

    public PutCounter(String probePrefix) {
        this.probePrefix = probePrefix;
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission c, ExecutionAttributes a) {
        SdkRequest r = c.request();
        if (r instanceof PutObjectRequest p && p.key().startsWith(probePrefix)) {
            probes.incrementAndGet();
        } else if (r instanceof PutObjectRequest) {
            puts.incrementAndGet();
        } else if (r instanceof UploadPartRequest) {
            parts.incrementAndGet();
        } else if (r instanceof CreateMultipartUploadRequest) {
            multipart.incrementAndGet();
        }
    }

    public int puts() {
        return puts.get();
    }

    /** Probe objects written: PUTs under the probe prefix. */
    public int probes() {
        return probes.get();
    }

    public int parts() {
        return parts.get();
    }

    /** Every request that writes an object or starts writing one. */
    public int writes() {
        return puts.get() + parts.get() + multipart.get();
    }
}
