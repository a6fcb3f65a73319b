package io.lifeboat.testkit.s3;

import java.net.URI;

/** What the S3 test servers share: the {@link ServerProcess} running one, and the key pair it takes. */
public abstract class ProcessS3Server implements S3TestServer {
    private final ServerProcess process;
    private final String name;
    private final String version;
    private final String accessKey;
    private final String secretKey;

    ProcessS3Server(ServerProcess process, String name, String version, String accessKey, String secretKey) {
        this.process = process;
        this.name = name;
        this.version = version;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public URI endpoint() {
        return process.endpoint();
    }

    @Override
    public String accessKey() {
        return accessKey;
    }

    @Override
    public String secretKey() {
        return secretKey;
    }

    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return name + " " + version + " at " + endpoint();
    }
}
