/**
 * Real S3-compatible servers for tests, each in its own process on a loopback port (S3Proxy,
 * Adobe S3Mock, s3rver), as JUnit extensions or started by hand; the fault-injecting HTTP proxy
 * that sits between a client and one of them; and AWS SDK interceptors that count requests. A
 * server gives its endpoint, region and key pair ({@link io.lifeboat.testkit.s3.S3Endpoint}) and
 * creates the buckets it is started with; each module's tests turn that into their own settings.
 */
package io.lifeboat.testkit.s3;
