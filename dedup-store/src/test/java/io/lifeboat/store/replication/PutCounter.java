package io.lifeboat.store.replication;

import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

import java.util.concurrent.atomic.AtomicInteger;

/** Counts the write requests a target sends (each attempt once), but for its probe's objects. */
final class PutCounter implements ExecutionInterceptor {
    private final AtomicInteger puts = new AtomicInteger();
    private final AtomicInteger probes = new AtomicInteger();
    private final AtomicInteger parts = new AtomicInteger();
    private final AtomicInteger multipart = new AtomicInteger();

    @Override
    public void beforeTransmission(Context.BeforeTransmission c, ExecutionAttributes a) {
        SdkRequest r = c.request();
        if (r instanceof PutObjectRequest p && p.key().startsWith(ServerProbe.PREFIX)) {
            probes.incrementAndGet();
        } else if (r instanceof PutObjectRequest) {
            puts.incrementAndGet();
        } else if (r instanceof UploadPartRequest) {
            parts.incrementAndGet();
        } else if (r instanceof CreateMultipartUploadRequest) {
            multipart.incrementAndGet();
        }
    }

    int puts() {
        return puts.get();
    }

    /** Probe objects written ({@link S3Target#probe()}). */
    int probes() {
        return probes.get();
    }

    int parts() {
        return parts.get();
    }

    /** Every request that writes an object or starts writing one. */
    int writes() {
        return puts.get() + parts.get() + multipart.get();
    }
}
