package io.lifeboat.testkit.s3;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;

import java.util.concurrent.atomic.AtomicInteger;

/** Counts the GET requests (whole or ranged) a target sends, each attempt once. */
public final class GetCounter implements ExecutionInterceptor {
    private final AtomicInteger gets = new AtomicInteger();

    @Override
    public void beforeTransmission(Context.BeforeTransmission c, ExecutionAttributes a) {
        if (c.request() instanceof GetObjectRequest) {
            gets.incrementAndGet();
        }
    }

    public int gets() {
        return gets.get();
    }
}
